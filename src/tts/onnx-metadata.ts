/**
 * ONNX `ModelProto.metadata_props` (field 14, repeated StringStringEntryProto {key = 1, value = 2})
 * encoded as protobuf. Protobuf merges fields appended after a message, so appending these bytes to
 * a `.onnx` file adds the metadata without parsing the model.
 */
function varint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return out;
}

function lengthDelimited(fieldNumber: number, body: Uint8Array): Uint8Array {
  const head = [...varint((fieldNumber << 3) | 2), ...varint(body.byteLength)];
  const out = new Uint8Array(head.length + body.byteLength);
  out.set(head);
  out.set(body, head.length);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) { out.set(part, offset); offset += part.byteLength; }
  return out;
}

const METADATA_PROPS_FIELD = 14;

/** The bytes to append to a ModelProto to add `entries` as metadata_props. */
export function encodeMetadataProps(entries: Readonly<Record<string, string>>): Uint8Array {
  const encoder = new TextEncoder();
  return concat(Object.entries(entries).map(([key, value]) => lengthDelimited(
    METADATA_PROPS_FIELD,
    concat([lengthDelimited(1, encoder.encode(key)), lengthDelimited(2, encoder.encode(value))]),
  )));
}
