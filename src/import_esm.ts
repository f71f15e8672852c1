// Some dependencies ship as ES modules only. tsc compiles `import()` to `require()` in this
// CommonJS project, which older Node 20 releases cannot use on them; a Function body keeps
// the real import().
export const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;
