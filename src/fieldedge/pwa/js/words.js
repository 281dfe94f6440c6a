// What the server said, in words a rep reads on a doorstep.
const ENTITY = { contact: "contact", visit: "visit", order: "order", payment: "payment" };
const FIELD = { notes: "notes", phone: "phone", email: "email", city: "city", address: "address",
  name: "name", checkedOutAt: "check-out time", outcome: "outcome", status: "status" };

export function show(value) {
  if (value === null || value === undefined || value === "") return "(empty)";
  return typeof value === "string" ? `“${value}”` : JSON.stringify(value);
}

export function title(entity, row) {
  if (!row) return `a ${ENTITY[entity] || entity}`;
  return row.name || row.number || `a ${ENTITY[entity] || entity}`;
}

export function describeConflict(entity, row, c) {
  const field = FIELD[c.field] || c.field;
  return `${title(entity, row)}: someone else changed the ${field} while you were offline. ` +
    `Kept theirs: ${show(c.serverValue)}. Yours was: ${show(c.clientValue)}.`;
}

export function describeRejection(entity, row, error, why) {
  const details = error && error.details ? Object.entries(error.details)
    .map(([k, v]) => `${k}: ${[].concat(v).join(" ")}`).join("; ") : "";
  const message = why || (error ? error.message : "was refused");
  return `${title(entity, row)} ${message}${details ? ` (${details})` : ""}. Not kept.`;
}
