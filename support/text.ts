/**
 * Parsing the small pieces of text that steps take.
 */

/** `"web-0, web-1 and web-2"` → ['web-0', 'web-1', 'web-2']. */
export function nameList(text: string): string[] {
  return text
    .split(/,|\band\b/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Rows of a two-column Gherkin table as [key, value] pairs. */
export function pairs(rows: string[][]): Array<[string, string]> {
  return rows.map((row) => {
    if (row.length !== 2) throw new Error(`expected two columns (setting | value), got ${JSON.stringify(row)}`);
    return [row[0].trim(), row[1].trim()];
  });
}
