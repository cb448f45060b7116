/** The bundled examples (examples/), made into a module by web/build.js. */
declare module "virtual:examples" {
  const examples: ReadonlyArray<{
    readonly name: string;
    readonly files: ReadonlyArray<{ readonly name: string; readonly text: string }>;
  }>;
  export default examples;
}
