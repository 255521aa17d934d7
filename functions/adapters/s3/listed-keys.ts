/**
 * The keys and the truncation flag of a ListObjectsV2 answer (S3's XML, no
 * delimiter). `<Key>` appears only inside `<Contents>`; S3 escapes a key's
 * `& < > " '` and characters XML cannot hold as entities or character references.
 */
export function listedKeys(xml: string): { keys: string[]; truncated: boolean } {
  const keys: string[] = [];
  for (const match of xml.matchAll(/<Key>([^<]*)<\/Key>/g)) keys.push(unescapeXml(match[1]!));
  return { keys, truncated: /<IsTruncated>\s*true\s*<\/IsTruncated>/.test(xml) };
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (entity, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
    return NAMED[name] ?? entity;
  });
}
