// ejs ships no type declarations; @fastify/view only needs the module object.
declare module 'ejs' {
  const ejs: { compile: (...args: unknown[]) => unknown, render: (...args: unknown[]) => unknown }
  export default ejs
}
