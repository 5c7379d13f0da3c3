// Keeps the sides of the wire apart and the import graph acyclic:
//   shared/  imports nothing from host/ or worker/;
//   host/    does not import worker/ (except worker/embedded.ts, the entry embedded mode runs);
//   worker/  does not import host/;
//   no import cycles (of imports that exist at run time; `import type` cycles are erased).
module.exports = {
  forbidden: [
    { name: 'shared-is-shared', severity: 'error', from: { path: '^shared/' }, to: { path: '^(host|worker)/' } },
    {
      name: 'host-not-worker',
      severity: 'error',
      from: { path: '^host/' },
      to: { path: '^worker/', pathNot: '^worker/embedded\\.ts$' },
    },
    { name: 'worker-not-host', severity: 'error', from: { path: '^worker/' }, to: { path: '^host/' } },
    {
      name: 'no-cycles',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|shared/generated)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
