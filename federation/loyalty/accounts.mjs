// The loyalty programme's rules: who is a member and what their account holds.
//
// A stand-in for a second team's service, so everything is derived from the customer id
// (SHA-256): the same id always gives the same account, in every process, with no database.
// Members are the CRM's accounts (Salesforce Account ids: "001" + 12 or 15 letters/digits);
// any other id is not a member, and the service says so with `null`, not an error: "no
// loyalty account" is a normal answer about a customer, not a failure of the service.
import { createHash } from "node:crypto";

export const TIERS = [
  { tier: "BRONZE", minPoints: 0 },
  { tier: "SILVER", minPoints: 1000 },
  { tier: "GOLD", minPoints: 5000 },
  { tier: "PLATINUM", minPoints: 12000 },
];

const MEMBER_ID = /^001[0-9A-Za-z]{12}(?:[0-9A-Za-z]{3})?$/;
const EPOCH_MS = Date.UTC(2015, 0, 1);
const DAY_MS = 86_400_000;

export function isMember(customerId) {
  return typeof customerId === "string" && MEMBER_ID.test(customerId);
}

export function account(customerId) {
  if (!isMember(customerId)) return null;
  const digest = createHash("sha256").update(customerId).digest();
  const points = digest.readUInt32BE(0) % 20000;
  const days = digest.readUInt16BE(4) % 3650;
  const tier = TIERS.filter((t) => points >= t.minPoints).at(-1).tier;
  const memberSince = new Date(EPOCH_MS + days * DAY_MS).toISOString().slice(0, 10);
  return { tier, points, memberSince };
}
