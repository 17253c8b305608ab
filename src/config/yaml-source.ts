/**
 * YAML parsing that remembers where every value came from. `yaml` builds a document tree whose nodes
 * carry source offsets; a LineCounter turns offsets into 1-based line and column (yaml docs, "Parsing
 * YAML → LineCounter"). Validation issues carry a key path, and `locate` walks the tree along it.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import { ConfigError } from "../domain/errors.ts";

const MAX_ALIAS_COUNT = 100;

export interface SourcePosition {
  readonly line: number;
  readonly col: number;
}

export interface YamlSource {
  /** The file as it should be shown to the user. */
  readonly file: string;
  /** The plain JavaScript value of the document (`{}` for an empty file). */
  readonly value: unknown;
  /**
   * Where the value at `path` starts, or — with `key` — where that key of the mapping at `path` is
   * written. Falls back to the deepest part of the path that exists.
   */
  locate(path: readonly PropertyKey[], key?: string): SourcePosition;
}

type Range = readonly [number, number, number];

function hasRange(node: unknown): node is { range: Range } {
  return typeof node === "object" && node !== null && Array.isArray((node as { range?: unknown }).range);
}

function pairFor(map: unknown, key: string): { key: unknown; value: unknown } | undefined {
  if (!isMap(map)) return undefined;
  return map.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === key);
}

function walk(doc: Document, path: readonly PropertyKey[], key: string | undefined): number {
  let node: unknown = doc.contents;
  let offset = hasRange(node) ? node.range[0] : 0;
  for (const segment of path) {
    if (isSeq(node) && typeof segment === "number") {
      const item: unknown = node.items[segment];
      if (!hasRange(item)) return offset;
      offset = item.range[0];
      node = item;
      continue;
    }
    const pair = pairFor(node, String(segment));
    if (pair === undefined) return offset;
    // A key with no value (`key:`) has no useful value range; point at the key instead.
    const target = hasRange(pair.value) && !(isScalar(pair.value) && pair.value.value === null) ? pair.value : pair.key;
    if (!hasRange(target)) return offset;
    offset = target.range[0];
    node = pair.value;
  }
  if (key !== undefined) {
    const pair = pairFor(node, key);
    if (pair !== undefined && hasRange(pair.key)) return pair.key.range[0];
  }
  return offset;
}

/**
 * The plain value of a parsed document. Aliases are expanded at most `MAX_ALIAS_COUNT` times (yaml's guard
 * against "billion laughs" documents, whose few lines expand to gigabytes); beyond that yaml throws a
 * ReferenceError, which is a configuration error in that file, not an internal one.
 */
function documentValue(doc: Document, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const bomb = /alias count/i.test(reason);
    throw new ConfigError(
      "config_yaml_invalid",
      bomb
        ? `${file}: refused: its YAML aliases (*name) expand more than ${MAX_ALIAS_COUNT} times, as an alias bomb ("billion laughs") does; a configuration file needs few, if any`
        : `${file}: cannot be read as YAML: ${reason}`,
      { details: { file } },
    );
  }
}

/** Parses YAML text; malformed YAML becomes a ConfigError naming file, line and column. */
export function parseYamlSource(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    const pos = first.linePos?.[0] ?? { line: 1, col: 1 };
    // yaml appends " at line L, column C:" and a code frame; the position is already in our prefix.
    const headline = (first.message.split("\n")[0] ?? first.message).replace(/ at line \d+, column \d+:?$/, "");
    // yaml's own error is not attached as `cause`: its code frame quotes the file, values included.
    throw new ConfigError("config_yaml_invalid", `${file}:${pos.line}:${pos.col}: malformed YAML: ${headline}`, {
      details: { file, line: pos.line, col: pos.col, yamlCode: first.code },
    });
  }
  const raw = documentValue(doc, file);
  const value = raw === null || raw === undefined ? {} : raw;
  const locate = (path: readonly PropertyKey[], key?: string): SourcePosition => lineCounter.linePos(walk(doc, path, key));
  if (typeof value !== "object" || Array.isArray(value)) {
    const pos = locate([]);
    throw new ConfigError("config_invalid", `${file}:${pos.line}:${pos.col}: expected a mapping of settings at the top level`, {
      details: { file, line: pos.line, col: pos.col },
    });
  }
  return { file, value, locate };
}
