import type { IssueTracker } from "../../ports/issue-tracker.js";
import { fitBody } from "../rendering/markdown.js";

// What an alarm or crash decision asks of GitHub, for a record type `R` the Ledger keeps per
// fingerprint. The decisions are pure (alarm-issue.ts, crash-issue.ts); applyIssueDecision is
// the one routine that carries them out.

export interface OpenIssue<R> {
  readonly kind: "open";
  readonly title: string;
  readonly body: string;
  readonly labels: readonly string[];
  /** The record to keep once the issue exists. */
  readonly record: (issueNumber: number) => R;
}

export interface UpdateIssue<R> {
  readonly kind: "update";
  readonly issueNumber: number;
  readonly body: string;
  /** At most one comment per interval; absent inside it. */
  readonly comment?: string;
  readonly record: R;
}

export interface ResolveIssue<R> {
  readonly kind: "resolve";
  readonly issueNumber: number;
  readonly comment: string;
  readonly close: boolean;
  readonly record: R;
}

export interface NoIssueChange {
  readonly kind: "nothing";
  readonly why: string;
}

export type IssueDecision<R> = OpenIssue<R> | UpdateIssue<R> | ResolveIssue<R> | NoIssueChange;

export type AppliedIssueDecision = "opened" | "updated" | "resolved" | "held-back" | "nothing";

export interface ApplyIssueDecisionDeps<R, Open extends OpenIssue<R>> {
  readonly issues: IssueTracker;
  /** Keeps the decision's record in the Ledger, once GitHub has what it describes. */
  readonly remember: (record: R) => Promise<void>;
  /** Storm control: may a new issue be opened now? */
  readonly admitNewIssue: () => Promise<boolean>;
  /** What to keep instead when storm control holds a new issue back. */
  readonly heldBack: (open: Open) => Promise<void>;
}

/**
 * Carries out an issue decision on GitHub, the record last: a failure before it leaves the
 * Ledger as it was, so the delivery's retry decides again. Every body and comment is fitted to
 * GitHub's limit on the way.
 */
export async function applyIssueDecision<R, Open extends OpenIssue<R>>(
  decision: Open | UpdateIssue<R> | ResolveIssue<R> | NoIssueChange,
  deps: ApplyIssueDecisionDeps<R, Open>,
): Promise<AppliedIssueDecision> {
  const { issues, remember } = deps;
  switch (decision.kind) {
    case "open": {
      if (!(await deps.admitNewIssue())) {
        await deps.heldBack(decision);
        return "held-back";
      }
      const { title, labels } = decision;
      const issue = await issues.create({ title, body: fitBody(decision.body), labels });
      await remember(decision.record(issue.number));
      return "opened";
    }
    case "update":
      await issues.update(decision.issueNumber, { body: fitBody(decision.body) });
      if (decision.comment) await issues.comment(decision.issueNumber, fitBody(decision.comment));
      await remember(decision.record);
      return "updated";
    case "resolve":
      await issues.comment(decision.issueNumber, fitBody(decision.comment));
      if (decision.close) await issues.update(decision.issueNumber, { state: "closed", stateReason: "completed" });
      await remember(decision.record);
      return "resolved";
    case "nothing":
      return "nothing";
  }
}
