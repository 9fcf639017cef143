// Parsed Go files -> one table (UpstreamPackage): exported structs and named types in declaration
// order, each field with its JSON name and options, protobuf and patch tags, markers and doc;
// type references qualified by table name (`[]core.v1.Container`).
import type { ListType, MapType, UpstreamField, UpstreamNamed, UpstreamPackage, UpstreamStruct, UpstreamType } from '../../src/api/upstream/model.js';
import { formatDoc, markerLines, parseMarkers } from './go-doc.js';
import type { GoField, GoFile, GoType, GoTypeDecl } from './go-parser.js';
import { packageNameOf, type SourcePackage } from './sources.js';

const BUILTINS = new Set([
  'string', 'bool', 'byte', 'rune', 'int', 'int8', 'int16', 'int32', 'int64',
  'uint', 'uint8', 'uint16', 'uint32', 'uint64', 'float32', 'float64', 'any', 'error',
]);

/** Markers that become fields of their own in the tables (the rest are kept as written). */
const FIELD_MARKERS = new Set(['listType', 'listMapKey', 'mapType', 'optional', 'required', 'default', 'patchMergeKey', 'patchStrategy']);
const TYPE_MARKERS = new Set(['structType', 'enum']);

const isExported = (name: string): boolean => /^[A-Z]/.test(name);

/** Reads a Go struct tag: `json:"a,omitempty" protobuf:"bytes,1,opt,name=a"` -> {json: 'a,omitempty', protobuf: ...}. */
export function parseStructTag(tag: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /([A-Za-z_][A-Za-z0-9_]*):"((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(tag); m; m = re.exec(tag)) out.set(m[1] as string, (m[2] as string).replace(/\\(.)/g, '$1'));
  return out;
}

export function buildPackage(source: SourcePackage, files: GoFile[], sourceNote: string): UpstreamPackage {
  const local = new Set(files.flatMap((f) => f.types.map((t) => t.name)));

  const typeRef = (t: GoType, file: GoFile, where: string): string => {
    switch (t.kind) {
      case 'pointer':
        return '*' + typeRef(t.elem, file, where);
      case 'slice':
        return '[]' + typeRef(t.elem, file, where);
      case 'array':
        return `[${t.length}]` + typeRef(t.elem, file, where);
      case 'map':
        return `map[${typeRef(t.key, file, where)}]${typeRef(t.value, file, where)}`;
      case 'interface':
        return 'any';
      case 'func':
        return 'func';
      case 'struct':
        throw new Error(`${where}: anonymous struct types are not supported in API tables`);
      case 'name': {
        if (t.pkg) {
          const path = file.imports.get(t.pkg);
          if (!path) throw new Error(`${where}: unknown package ${t.pkg}`);
          return `${packageNameOf(path)}.${t.name}`;
        }
        if (local.has(t.name)) return `${source.name}.${t.name}`;
        if (BUILTINS.has(t.name)) return t.name === 'interface{}' ? 'any' : t.name;
        throw new Error(`${where}: unknown type ${t.name}`);
      }
    }
  };

  const buildField = (f: GoField, name: string | undefined, file: GoFile, owner: string): UpstreamField | undefined => {
    const tags = parseStructTag(f.tag);
    const embedded = name === undefined;
    const goName = name ?? embeddedName(f.type);
    if (!isExported(goName)) return undefined;
    const where = `${file.path}:${f.line} ${owner}.${goName}`;
    const jsonTag = tags.get('json');
    const [jsonName = '', ...options] = (jsonTag ?? '').split(',');
    if (jsonName === '-' && options.length === 0) return undefined;
    const inline = embedded && jsonName === '';
    const field: UpstreamField = { go: goName, json: inline ? '' : jsonName || goName, type: typeRef(f.type, file, where), doc: '' };
    if (options.includes('omitempty')) field.omitempty = true;
    if (inline) field.inline = true;
    const pb = tags.get('protobuf');
    if (pb) field.protobuf = pb;
    const pbKey = tags.get('protobufKey');
    if (pbKey) field.protobufKey = pbKey;
    const pbVal = tags.get('protobufVal');
    if (pbVal) field.protobufVal = pbVal;
    const strategy = tags.get('patchStrategy');
    if (strategy) field.patchStrategy = strategy;
    const mergeKey = tags.get('patchMergeKey');
    if (mergeKey) field.patchMergeKey = mergeKey;

    const lines = markerLines(f.comments);
    const m = parseMarkers(lines).values;
    const listType = m.get('listType')?.[0];
    if (listType) field.listType = listType as ListType;
    const mapKeys = m.get('listMapKey');
    if (mapKeys?.length) field.listMapKeys = mapKeys;
    const mapType = m.get('mapType')?.[0];
    if (mapType) field.mapType = mapType as MapType;
    if (m.has('optional')) field.optional = true;
    if (m.has('required')) field.required = true;
    const dflt = m.get('default')?.[0];
    if (dflt !== undefined) field.default = dflt;
    const others = lines.filter((l) => !FIELD_MARKERS.has(l.split('=')[0] as string));
    if (others.length) field.markers = others;
    field.doc = formatDoc(f.comments);
    return field;
  };

  const constsByType = new Map<string, string[]>();
  for (const file of files) {
    for (const c of file.consts) {
      if (!c.type || c.value === undefined || c.type.includes('.')) continue;
      const list = constsByType.get(c.type) ?? [];
      list.push(c.value);
      constsByType.set(c.type, list);
    }
  }

  const types: Record<string, UpstreamType> = {};
  for (const file of files) {
    for (const decl of file.types) {
      if (!isExported(decl.name) || decl.type.kind === 'interface' || decl.type.kind === 'func') continue;
      if (types[decl.name]) throw new Error(`${file.path}:${decl.line}: ${decl.name} declared twice`);
      types[decl.name] = buildType(decl, file);
    }
  }

  function buildType(decl: GoTypeDecl, file: GoFile): UpstreamType {
    const lines = [...markerLines(decl.secondComments), ...markerLines(decl.comments)];
    const m = parseMarkers(lines).values;
    const others = lines.filter((l) => !TYPE_MARKERS.has(l.split('=')[0] as string));
    const doc = formatDoc(decl.comments);
    if (decl.type.kind === 'struct') {
      const fields: UpstreamField[] = [];
      for (const f of decl.type.fields) {
        const names = f.names.length ? f.names : [undefined];
        for (const n of names) {
          const built = buildField(f, n, file, decl.name);
          if (built) fields.push(built);
        }
      }
      const struct: UpstreamStruct = { kind: 'struct', doc, fields };
      const structType = m.get('structType')?.[0];
      if (structType) struct.structType = structType as MapType;
      if (others.length) struct.markers = others;
      return struct;
    }
    const named: UpstreamNamed = { kind: 'named', doc, type: typeRef(decl.type, file, `${file.path}:${decl.line} ${decl.name}`) };
    if (m.has('enum')) named.enum = [...new Set(constsByType.get(decl.name) ?? [])].sort();
    if (others.length) named.markers = others;
    return named;
  }

  return {
    name: source.name,
    goPackage: source.goPackage,
    group: source.group,
    version: source.version,
    openapi: source.openapi,
    ...(source.protobuf ? { protobuf: source.protobuf } : {}),
    source: sourceNote,
    types,
  };
}

function embeddedName(t: GoType): string {
  if (t.kind === 'pointer') return embeddedName(t.elem);
  if (t.kind === 'name') return t.name;
  throw new Error('embedded field of an unnamed type');
}
