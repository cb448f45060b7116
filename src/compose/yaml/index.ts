/**
 * Parses a Compose YAML file into plain data, one entry per YAML document, the way compose-go reads it
 * (../shared/docs/compose-loading-reference.md §1): YAML 1.2 core schema with go-yaml's reading of numbers
 * (scalars.ts), anchors and aliases expanded with compose-go's limits, `<<` merge keys, `!reset` / `!override`
 * recorded by path, duplicate and non-string keys refused (walk.ts), the hostile-input limits (limits.ts).
 *
 * Two ways into the walker's node tree (types.ts): composed straight from the `yaml` package's CST (cst.ts), and,
 * for whatever that path does not take on, from the package's Document with go-yaml's lenient reading of
 * under-indented quoted scalars (lenient.ts, document.ts), which also gives every syntax error its message.
 */
import { fail, type SourceFile } from "../../diagnostics";
import { streamFromCst } from "./cst";
import { streamFromDocuments } from "./document";
import { firstLine, parseLeniently } from "./lenient";
import { checkSize, tooDeep } from "./limits";
import type { YStream } from "./types";
import { walkDocument, type NumberAsText, type ParsedDocument } from "./walk";

export { CompileError } from "../../diagnostics";
export { decodeComposeSource } from "./decode";
export { parseLeniently } from "./lenient";
export {
  lexerNodeCount,
  nodeCountBound,
  MAX_ALIAS_EXPANSION_CHARS,
  MAX_DEPTH,
  MAX_FILE_BYTES,
  MAX_NODE_VISITS,
  MAX_YAML_NODES,
} from "./limits";
export type { PlainMap, PlainValue } from "./types";
export { DocumentPositions, joinPath, type NumberAsText, type ParsedDocument } from "./walk";

export interface YamlOptions {
  /** Where plain numbers stay text (see NumberAsText); nowhere when absent. */
  readonly numberAsText?: NumberAsText;
  /** Which parse path to take: the CST first (the default), or the Document path alone (tests compare the two). */
  readonly path?: "cst" | "document";
}

export function parseComposeYaml(file: SourceFile, options: YamlOptions = {}): ParsedDocument[] {
  checkSize(file);
  const stream = options.path === "document" ? undefined : streamFromCst(file.text);
  if (stream) return walkAll(file, stream, options.numberAsText);
  return parseWithDocuments(file, options.numberAsText);
}

function walkAll(file: SourceFile, stream: YStream, numberAsText: NumberAsText | undefined): ParsedDocument[] {
  return stream.roots.map((_, i) => walkDocument(file, stream, i, numberAsText));
}

/** The Document path: each document's first syntax error is reported before the document is walked. */
function parseWithDocuments(file: SourceFile, numberAsText: NumberAsText | undefined): ParsedDocument[] {
  const { docs, toOriginal } = parseLeniently(file.text);
  const stream = streamFromDocuments(docs, toOriginal);
  const result: ParsedDocument[] = [];
  docs.forEach((doc, i) => {
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const offset = toOriginal(e.pos[0]);
      // The yaml package reports a stack overflow while building deeply nested collections this way.
      if (e.code === "RESOURCE_EXHAUSTION") fail("yaml-too-deep", tooDeep(file), { file, offset });
      fail("yaml-syntax", `failed to parse ${file.path}: ${firstLine(e.message)}`, { file, offset });
    }
    result.push(walkDocument(file, stream, i, numberAsText));
  });
  return result;
}
