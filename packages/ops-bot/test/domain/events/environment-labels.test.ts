import { ENVIRONMENT_LABELS_KEY, labelledEventInputTemplate, resourceNames } from "@phoenix/shared";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  hasEnvironmentLabels,
  parseLabelledEvent,
  parseRepositoryFullName,
} from "../../../src/domain/events/environment-labels.js";
import { EventParseError } from "../../../src/domain/events/parse-error.js";
import { awsFixture, parseErrorFrom } from "../../support/aws-fixtures.js";

const alarmEvent = awsFixture("eventbridge-cloudwatch-alarm-state-change");

/** What EventBridge delivers through the ops bus's input transformer: the template with the event put in. */
function transformed(labels: { environment: string; repository: string }, event: unknown): unknown {
  return JSON.parse(labelledEventInputTemplate(labels).replace("<aws.events.event>", JSON.stringify(event)));
}

// Generators of what the rules allow, built from their parts (fast-check v4: no stringOf/char).
const lowerAlnum = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789");
const lower = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz");
/** Environment names `resourceNames` accepts next to a short app: a letter, then words joined by single hyphens. */
const environmentName = fc
  .tuple(lower, fc.array(fc.array(lowerAlnum, { minLength: 1, maxLength: 4 }), { maxLength: 4 }))
  .map(([first, words]) => [first + (words[0] ?? []).join(""), ...words.slice(1).map((w) => w.join(""))].join("-"))
  .filter((name) => name.length <= 20);
const alnum = fc.constantFrom(..."abcXYZ019");
const owner = fc
  .array(fc.array(alnum, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 4 })
  .map((words) => words.map((w) => w.join("")).join("-"))
  .filter((name) => name.length <= 39);
const repoName = fc
  .array(fc.constantFrom(..."abcXYZ019._-"), { minLength: 1, maxLength: 30 })
  .map((chars) => chars.join(""))
  .filter((name) => name !== "." && name !== "..");

describe("labelled environment events", () => {
  it("parse what the ops bus's input transformer delivers, returning the event untouched", () => {
    fc.assert(
      fc.property(environmentName, owner, repoName, (environment, ownerName, repo) => {
        const parsed = parseLabelledEvent(transformed({ environment, repository: `${ownerName}/${repo}` }, alarmEvent));
        expect(parsed.labels).toEqual({ environment, repository: { owner: ownerName, repo } });
        expect(parsed.event).toStrictEqual(alarmEvent);
      }),
    );
  });

  it("accept exactly the environment names resourceNames accepts", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 24 }), (environment) => {
        let named = true;
        try {
          resourceNames({ app: "a", environment });
        } catch {
          named = false;
        }
        const input = transformed({ environment, repository: "octo-org/phoenix" }, alarmEvent);
        if (named) expect(parseLabelledEvent(input).labels.environment).toBe(environment);
        else expect(parseErrorFrom(() => parseLabelledEvent(input)).path).toBe(`${ENVIRONMENT_LABELS_KEY}.environment`);
      }),
    );
  });

  it("refuse a repository that is not owner/name by GitHub's rules", () => {
    for (const repository of [
      "octo-org",
      "octo-org/",
      "/phoenix",
      "octo--org/phoenix",
      "-octo/phoenix",
      "octo-/phoenix",
      "octo/phoenix/extra",
      "octo/..",
      "octo/.",
      "octo/phoe nix",
      " octo/phoenix",
      "https://github.com/octo/phoenix",
      `${"a".repeat(40)}/phoenix`,
      `octo/${"a".repeat(101)}`,
    ]) {
      const error = parseErrorFrom(() =>
        parseLabelledEvent(transformed({ environment: "staging", repository }, alarmEvent)),
      );
      expect(error.path, repository).toBe(`${ENVIRONMENT_LABELS_KEY}.repository`);
      expect(error.message).not.toContain(repository); // no value echoed into logs
    }
  });

  it("read owner/name back as it was written, for every name GitHub allows", () => {
    fc.assert(
      fc.property(owner, repoName, (ownerName, repo) => {
        expect(parseRepositoryFullName(`${ownerName}/${repo}`)).toEqual({ owner: ownerName, repo });
      }),
    );
  });

  it("refuse anything but exactly the labels and the event, and never throw another error", () => {
    const extraKey = { [ENVIRONMENT_LABELS_KEY]: { environment: "staging", repository: "o/r" }, event: {}, more: 1 };
    expect(parseErrorFrom(() => parseLabelledEvent(extraKey)).message).toMatch(/^Labelled environment event: /);
    const extraLabel = { [ENVIRONMENT_LABELS_KEY]: { environment: "staging", repository: "o/r", app: "x" }, event: {} };
    expect(() => parseLabelledEvent(extraLabel)).toThrow(EventParseError);
    expect(() =>
      parseLabelledEvent({ [ENVIRONMENT_LABELS_KEY]: { environment: "staging", repository: "o/r" } }),
    ).toThrow(/event is required/);
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (labels, event) => {
        try {
          parseLabelledEvent({ [ENVIRONMENT_LABELS_KEY]: labels, event });
        } catch (error) {
          expect(error).toBeInstanceOf(EventParseError);
        }
      }),
    );
  });

  it("are told from plain AWS events by the labels key alone", () => {
    expect(hasEnvironmentLabels(alarmEvent)).toBe(false);
    expect(hasEnvironmentLabels({ [ENVIRONMENT_LABELS_KEY]: "anything" })).toBe(true);
  });
});
