import type { EventKind } from "./identify.ts";

/**
 * A hand-written check of the fields payloads.ts reads, for the ordinary delivery: zod builds a
 * stripped copy of every object it checks, which costs more than the rest of the validation.
 * It only ever says yes to a payload the schema accepts (each test here is at least as strict
 * as the schema's), so `true` means the schema would pass it unchanged; `false` means "not
 * sure", and the schema decides and names what is wrong (events.ts). When payloads.ts changes,
 * this changes with it; test/webhooks/payload-check.test.ts holds the two against each other.
 */
export function isWellFormed(kind: EventKind, json: unknown): boolean {
  if (!isObject(json) || !isRepository(json.repository)) return false;
  switch (kind) {
    case "push":
      return (
        nonEmpty(json.ref) &&
        isSha(json.before) &&
        isSha(json.after) &&
        (isNullish(json.commits) || all(json.commits, isCommit)) &&
        (json.total_commits === undefined || (isInt(json.total_commits) && json.total_commits >= 0)) &&
        (json.sender === undefined || isUser(json.sender)) &&
        (json.pusher === undefined || isUser(json.pusher))
      );
    case "pull_request":
      return nonEmpty(json.action) && isPositiveInt(json.number) && isPullRequest(json.pull_request) && isUser(json.sender);
    case "issue_comment":
      return (
        nonEmpty(json.action) &&
        isIssue(json.issue) &&
        (isNullish(json.pull_request) || isPullRequest(json.pull_request)) &&
        isComment(json.comment) &&
        isUser(json.sender) &&
        (json.is_pull === undefined || typeof json.is_pull === "boolean")
      );
  }
}

type Obj = Record<string, unknown>;

// Same expressions as payloads.ts.
const FULL_NAME = /^[^/\s]+\/[^/\s]+$/;
const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

function isObject(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
const isNullish = (v: unknown) => v === null || v === undefined;
const isString = (v: unknown): v is string => typeof v === "string";
const nonEmpty = (v: unknown) => typeof v === "string" && v.length > 0;
const optionalString = (v: unknown) => v === undefined || typeof v === "string";
const isSha = (v: unknown) => typeof v === "string" && SHA.test(v);
// Safe integers only: the schema's int() may be as strict, never stricter.
const isInt = (v: unknown): v is number => Number.isSafeInteger(v);
const isPositiveInt = (v: unknown) => isInt(v) && v > 0;
const isStrings = (v: unknown) => isNullish(v) || all(v, isString);

/** An array whose every element passes; an index loop, since every() would skip holes. */
function all(v: unknown, test: (e: unknown) => boolean): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (!test(v[i])) return false;
  return true;
}

function isRepository(v: unknown): boolean {
  return isObject(v) && isString(v.full_name) && FULL_NAME.test(v.full_name) && optionalString(v.clone_url) && optionalString(v.html_url);
}

function isUser(v: unknown): boolean {
  return isObject(v) && nonEmpty(v.login);
}

function isCommit(v: unknown): boolean {
  return isObject(v) && isSha(v.id) && isString(v.message) && isStrings(v.added) && isStrings(v.removed) && isStrings(v.modified);
}

function isPullRequest(v: unknown): boolean {
  return (
    isObject(v) &&
    isPositiveInt(v.number) &&
    isString(v.state) &&
    optionalString(v.html_url) &&
    isObject(v.head) &&
    isString(v.head.ref) &&
    isSha(v.head.sha) &&
    isObject(v.base) &&
    isString(v.base.ref) &&
    (v.merged === undefined || typeof v.merged === "boolean") &&
    (isNullish(v.updated_at) || isString(v.updated_at))
  );
}

function isIssue(v: unknown): boolean {
  return isObject(v) && isPositiveInt(v.number) && isString(v.state) && (isNullish(v.pull_request) || isObject(v.pull_request));
}

function isComment(v: unknown): boolean {
  return (
    isObject(v) &&
    isPositiveInt(v.id) &&
    isString(v.body) &&
    optionalString(v.html_url) &&
    isUser(v.user) &&
    isString(v.created_at) &&
    isString(v.updated_at)
  );
}
