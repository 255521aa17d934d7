import type { Submission } from './submission.ts';

/*
 * The pages the ledger's history answers. They import nothing from Node, so
 * the Replay Hub page (web/) shares them with the server.
 */

export interface HistoryPage {
  items: Submission[];
  /** Submissions in the list the query selects (the filtered list when filtered). */
  total: number;
  skip: number;
  limit: number;
  next_cursor: string | null;
}

export interface RunHistoryPage {
  run_id: string;
  items: Submission[];
  total: number;
  next_cursor: string | null;
}
