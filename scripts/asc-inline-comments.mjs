// asc transform: a line `// @inline` directly above a function declaration gives it AssemblyScript's @inline
// decorator. The portable kernels (src/kernels/portable/) compile with tsc too, and tsc rejects decorators on
// functions, so they mark the functions the WebAssembly build must inline with this comment instead (binaryen's
// own heuristics do not inline a function that calls another, however small; docs/kernels.md, "Writing a kernel
// once"). Only sources below src/kernels/portable/ are touched; a marker above anything but a function is an error.
import { Node, NodeKind } from "assemblyscript";
import { Transform } from "assemblyscript/transform";

const MARKER = "// @inline";
const PORTABLE = "src/kernels/portable/";

/** The trimmed text of the last non-empty line before `pos`. */
function previousLine(text, pos) {
  let end = text.lastIndexOf("\n", pos - 1);
  while (end > 0) {
    const start = text.lastIndexOf("\n", end - 1) + 1;
    const line = text.slice(start, end).trim();
    if (line !== "") return line;
    end = start - 1;
  }
  return "";
}

function markerLines(text) {
  const lines = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === MARKER) lines.push(i + 1);
  });
  return lines;
}

export default class InlineComments extends Transform {
  afterParse(parser) {
    for (const source of parser.sources) {
      if (!source.normalizedPath.includes(PORTABLE)) continue;
      const wanted = new Set(markerLines(source.text));
      if (wanted.size === 0) continue;
      for (const statement of source.statements) {
        const declaration = statement.kind === NodeKind.Export ? null : statement;
        if (declaration === null || declaration.kind !== NodeKind.FunctionDeclaration) continue;
        // A declaration's range starts at `export` or `function`; the marker is the line above it.
        if (previousLine(source.text, declaration.range.start) !== MARKER) continue;
        const range = declaration.range;
        const decorator = Node.createDecorator(Node.createIdentifierExpression("inline", range), null, range);
        declaration.decorators = [...(declaration.decorators ?? []), decorator];
        wanted.delete(source.lineAt(range.start) - 1);
      }
      if (wanted.size > 0) {
        throw new Error(`${source.normalizedPath}:${[...wanted].join(",")}: "${MARKER}" is not directly above a function`);
      }
    }
  }
}
