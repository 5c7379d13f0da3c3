import { TypeInformation, Types } from './types.ts';

/** Names a side output of a process function: ctx.output(tag, value), stream.getSideOutput(tag). */
export class OutputTag<T = unknown> {
  readonly typeInfo: TypeInformation<T>;
  constructor(
    readonly tagId: string,
    typeInfo?: TypeInformation<T>,
  ) {
    if (typeof tagId !== 'string' || tagId === '') throw new TypeError('OutputTag needs a non-empty name');
    this.typeInfo = typeInfo ?? (Types.GENERIC() as TypeInformation<T>);
  }
}
