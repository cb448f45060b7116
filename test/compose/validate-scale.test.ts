/**
 * compose/validate.ts's project checks read the list of services once per project, not once per service: a
 * per-service walk of every service made 5,000 services take 12 s instead of 2.4 s in keep mode (bench, stop 22).
 * Counted, not timed: the services mapping is wrapped so that each walk of its keys is seen.
 */
import { loadProject } from "../../src/compose/load";
import { checkProject } from "../../src/compose/validate";
import { DiagnosticBag } from "../../src/diagnostics";
import { tempProject } from "../support/run";

test.each(["keep", "resolve"] as const)("%s mode: the services are listed a bounded number of times", (variables) => {
  const services = Array.from(
    { length: 40 },
    (_, i) =>
      `  s${i}:\n    build:\n      context: .\n      additional_contexts: ["b=service:s0", "k=\${K:-./x}", "\${N:-n}=./y"]\n`,
  );
  const cwd = tempProject({ Dockerfile: "FROM alpine\n", "compose.yaml": `services:\n${services.join("")}` });
  const project = loadProject({ cwd, env: {}, variables }, new DiagnosticBag());
  let walks = 0;
  const counted = new Proxy(project.services, {
    ownKeys: (target) => {
      walks++;
      return Reflect.ownKeys(target);
    },
  });
  checkProject({ ...project, services: counted });
  expect(walks).toBeLessThanOrEqual(3);
});
