/** The curl line the empty state offers: a first result posted to this very origin. */
export function firstResultCurl(origin: string): string {
  return [
    `curl -X POST '${origin}/api/v1/replay/my-first-run/results' \\`,
    `  -H "Authorization: Bearer $REPRISE_API_KEY" -H 'Content-Type: application/json' \\`,
    `  -d '{"status":"success","actions_replayed":10,"actions_total":10,"divergences":0,"cost_savings":0.42,"deployment":"local"}'`,
  ].join('\n');
}
