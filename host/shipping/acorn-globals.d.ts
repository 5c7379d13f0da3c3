declare module 'acorn-globals' {
  import type { AnyNode, Identifier, Program, ThisExpression } from 'acorn';

  interface FoundName {
    name: string;
    /** Each use; `parents` runs from the program down to the use's parent and the use itself. */
    nodes: ((Identifier | ThisExpression) & { parents: AnyNode[] })[];
  }

  /** The names a program uses without declaring them ('this' included at the top level). */
  function findGlobals(source: string | Program): FoundName[];
  export default findGlobals;
}
