"""SAP-shaped ERP over SOAP: sales orders by customer (many in one call), by number, create.

SOAP faults go through the SDK's fault table (``colonnade.soap_faults``): SAP's generic fault
carries the RFC error class in ``detail`` (``SystemFault/Text``), which says whether to retry.
SAP reports business outcomes inside a successful response, as a RETURN log of messages with
a severity (BAPIRET2) — not a fault, so not the table's: on reads an E/A message means the
service failed (it counts against the breaker); on create, E means SAP refused the order
(UPSTREAM_REJECTED, with SAP's own message). SAP has no idempotency keys, so a keyed create
writes a reference (IHREZ) derived from the key, and the engine's idempotency record plus
``_find_by_reference`` make a repeated or retried create return the first order.
"""

from __future__ import annotations

import re
import secrets
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from pydantic import TypeAdapter, ValidationError

from colonnade import (
    Attempt,
    BadUserInput,
    FaultRule,
    Kind,
    Operation,
    Runtime,
    SoapConnector,
    StateUnavailable,
    UpstreamContractViolation,
    UpstreamError,
    UpstreamRejected,
    UpstreamUnauthenticated,
    UpstreamUnavailable,
    fingerprint,
    required,
)
from colonnade.connectors.domain import SalesOrder, SalesOrderDraft
from colonnade.connectors.erp.mapping import create_request, reference_for, to_sales_order
from colonnade.connectors.erp.models import (
    CREATE_REPLY,
    ORDERS_REPLY,
    BapiReturn,
    OrdersReply,
    SapOrder,
    UnreadableOrder,
)
from colonnade.connectors.erp.settings import ErpSettings
from colonnade.connectors.ports import PerKey

ORDERS_BY_CUSTOMER = Operation("erp", "orders_by_customer", tier="short")
ORDERS_BY_NUMBER = Operation("erp", "orders_by_number", tier="short")
CREATE_ORDER = Operation("erp", "create_order", kind=Kind.WRITE)
# Reconciliation must see the truth: "live" is never cached.
FIND_BY_REFERENCE = Operation("erp", "find_order_by_reference", tier="live")

_ORDERS = TypeAdapter(list[SalesOrder])
_ORDER = TypeAdapter(SalesOrder | None)
_ORDER_REQUIRED = TypeAdapter(SalesOrder)
_BATCH_MAX = 100
DERIVED_KEY_WINDOW_S = 600.0
"""How long an unkeyed create is remembered: a repeat with equal input is the same order."""
_NOT_IN_DATABASE = ("V1", "302")
_RFC_ERROR = r"^(?P<code>RFC_ERROR_{}\w*)"


def customer_tag(customer_number: str) -> str:
    return f"erp:customer:{customer_number}"


_CUSTOMER_NUMBER = re.compile(r"[0-9A-Za-z]{1,10}")  # SAP KUNNR: CHAR 10


class ErpConnector(SoapConnector):
    name = "erp"
    operations = (ORDERS_BY_CUSTOMER, ORDERS_BY_NUMBER, CREATE_ORDER, FIND_BY_REFERENCE)
    api_version = "zsd_salesorder-1"  # the WSDL in wsdl/erp
    fault_table = (
        # SAP's generic fault names the RFC error class in SystemFault/Text. A Client fault
        # (malformed request, unknown operation) keeps the default: rejected, not retried.
        FaultRule(UpstreamUnauthenticated, detail="Text", detail_regex=_RFC_ERROR.format("LOGON")),
        FaultRule(UpstreamRejected, detail="Text", detail_regex=_RFC_ERROR.format("APPLICATION")),
        FaultRule(UpstreamUnavailable, detail="Text", detail_regex=_RFC_ERROR.format(r"\w+")),
    )

    def __init__(self, settings: ErpSettings, runtime: Runtime) -> None:
        super().__init__(settings, runtime)
        required(settings.username, "connectors.erp.username")

    # ----------------------------------------------------------------- port: OrderBook
    async def orders_by_customer(self, customer_numbers: Sequence[str]) -> PerKey[list[SalesOrder]]:
        """A number that cannot be a KUNNR fails alone, before the batch is sent (a router
        names customers too: one bad number must not fail the GETLIST of its neighbours)."""
        results: PerKey[list[SalesOrder]] = {
            c: BadUserInput(f"{c!r} is not an ERP customer number (1 to 10 letters or digits)")
            for c in customer_numbers
            if not _CUSTOMER_NUMBER.fullmatch(c)
        }
        unique = [c for c in dict.fromkeys(customer_numbers) if c not in results]
        for start in range(0, len(unique), _BATCH_MAX):
            results.update(
                await self.pipeline.read_many(
                    ORDERS_BY_CUSTOMER,
                    unique[start : start + _BATCH_MAX],
                    self._fetch_by_customer,
                    _ORDERS,
                    scope=self.cache_scope(),
                    tags_for=lambda c: (customer_tag(c),),
                )
            )
        return results

    async def orders_by_number(self, numbers: Sequence[str]) -> PerKey[SalesOrder | None]:
        return await self.pipeline.read_many(
            ORDERS_BY_NUMBER, list(numbers), self._fetch_by_number, _ORDER, scope=self.cache_scope()
        )

    async def create_order(self, draft: SalesOrderDraft, idempotency_key: str | None) -> SalesOrder:
        if idempotency_key is None:
            idempotency_key = await self._derived_key(create_request(draft, None))
        reference = reference_for(idempotency_key) if idempotency_key else None
        request = create_request(draft, reference)

        async def send(attempt: Attempt) -> SalesOrder:
            raw = await self.invoke(attempt, CREATE_ORDER, "ZSD_SALESORDER_CREATE", **request)
            reply = self._validate(CREATE_ORDER, CREATE_REPLY, raw)
            failed = [m for m in reply.messages() if m.TYPE in ("E", "A")]
            if failed or not reply.SALES_NO:
                raise _refusal(failed, aborted=any(m.TYPE == "A" for m in failed))
            created = await self._fetch_by_number([reply.SALES_NO], attempt)
            order = created.get(reply.SALES_NO)
            if isinstance(order, UpstreamError):
                raise order
            if order is None:
                raise self.contract_violation(CREATE_ORDER, ValueError("created order not found"))
            return order

        async def reconcile() -> SalesOrder | None:
            return await self._find_by_reference(draft.customer_number, reference or "")

        return await self.pipeline.write(
            CREATE_ORDER,
            send,
            _ORDER_REQUIRED,
            args=request,
            scope=self.write_scope(),
            idempotency_key=idempotency_key,
            reconcile=reconcile if reference else None,
            invalidate_tags=(customer_tag(draft.customer_number),),
        )

    async def contract_probe(self) -> None:
        """A customer's orders, then one order by number (live: contract_samples.customer)."""
        customer = self.settings.contract_samples.get("customer", "0000100002")
        listed = (await self.orders_by_customer([customer]))[customer]
        if not isinstance(listed, BaseException) and listed.value:
            await self.orders_by_number([listed.value[0].number])

    async def _derived_key(self, request: dict[str, Any]) -> str | None:
        """A key for a create the client sent without one, so that a retry of it — ours
        after a lost answer, or the client's within the window — finds the first order
        instead of making a second. Equal input (same credentials, customer, currency, PO and
        lines) within ``DERIVED_KEY_WINDOW_S`` of the first attempt is one order.

        The key is random and remembered per input (not a hash of it), so an identical
        order placed after the window gets a fresh reference and is never taken for the old
        one. Without shared state there is no memory to consult: the create goes unkeyed, as
        before, and a lost answer is UPSTREAM_OUTCOME_UNKNOWN."""
        slot = f"derived-key:{self.name}:create_order:{fingerprint([self.write_scope(), request])}"
        backend = self.runtime.backend
        for _ in range(2):  # the slot may expire between the two calls: claim it again
            candidate = "derived-" + secrets.token_hex(16)
            try:
                if await backend.set_if_absent(slot, candidate.encode(), DERIVED_KEY_WINDOW_S):
                    return candidate
                existing = await backend.get(slot)
            except StateUnavailable:
                return None
            if existing is not None:
                return existing.decode()
        return None

    # ----------------------------------------------------------------- wire
    async def _fetch_by_customer(
        self, numbers: list[str], attempt: Attempt
    ) -> dict[str, list[SalesOrder] | UpstreamError]:
        """One unreadable order fails its customer's orders alone, never the batch of 100."""
        reply = await self._get_list(attempt, ORDERS_BY_CUSTOMER, numbers)
        grouped: dict[str, list[SalesOrder]] = defaultdict(list)
        failed: dict[str, UpstreamError] = {}
        for record in reply.records():
            if record.KUNNR is None:  # cannot tell whose it is: the whole answer is suspect
                raise self._unreadable(ORDERS_BY_CUSTOMER, record)
            mapped = self._map(ORDERS_BY_CUSTOMER, record)
            if isinstance(mapped, UpstreamError):
                failed.setdefault(record.KUNNR, mapped)
            else:
                grouped[record.KUNNR].append(mapped)
        return {n: failed.get(n) or grouped.get(n, []) for n in numbers}

    async def _fetch_by_number(
        self, numbers: list[str], attempt: Attempt
    ) -> dict[str, SalesOrder | UpstreamError | None]:
        raw = await self.invoke(
            attempt, ORDERS_BY_NUMBER, "ZSD_SALESORDER_GETDETAIL", IT_ORDERS={"item": numbers}
        )
        reply = self._validate(ORDERS_BY_NUMBER, ORDERS_REPLY, raw)
        self._raise_on_failure(
            [m for m in reply.messages() if (m.ID, _num(m.NUMBER)) != _NOT_IN_DATABASE]
        )
        found: dict[str, SalesOrder | UpstreamError] = {}
        for record in reply.records():
            if record.VBELN is None:
                raise self._unreadable(ORDERS_BY_NUMBER, record)
            found[record.VBELN] = self._map(ORDERS_BY_NUMBER, record)
        return {n: found.get(n) for n in numbers}

    def _map(self, op: Operation, record: SapOrder | UnreadableOrder) -> SalesOrder | UpstreamError:
        """Map one order, or say (typed) why it cannot be: the failure is that record's."""
        if isinstance(record, UnreadableOrder):
            return self._unreadable(op, record)
        try:
            return to_sales_order(record)
        except (ValueError, KeyError) as exc:  # pydantic's ValidationError is a ValueError
            return self.contract_violation(op, exc)

    def _unreadable(self, op: Operation, record: UnreadableOrder | SapOrder) -> UpstreamError:
        problem = record.problem if isinstance(record, UnreadableOrder) else "unmappable"
        return UpstreamContractViolation(
            f"{self.name} sent sales order {record.VBELN or '?'} in an unexpected shape "
            f"({problem[:200]})",
            connector=self.name,
            operation=op.name,
        )

    async def _get_list(self, attempt: Attempt, op: Operation, numbers: list[str]) -> OrdersReply:
        raw = await self.invoke(
            attempt, op, "ZSD_SALESORDER_GETLIST", IT_CUSTOMERS={"item": numbers}
        )
        reply: OrdersReply = self._validate(op, ORDERS_REPLY, raw)
        self._raise_on_failure(reply.messages())
        return reply

    async def _find_by_reference(self, customer_number: str, reference: str) -> SalesOrder | None:
        """Did an earlier attempt commit? Look for the order carrying our reference (uncached)."""

        async def lookup(attempt: Attempt) -> SalesOrder | None:
            reply = await self._get_list(attempt, FIND_BY_REFERENCE, [customer_number])
            for order in reply.orders():
                if reference == order.IHREZ:
                    return to_sales_order(order)
            return None

        return await self.pipeline.caller.call(FIND_BY_REFERENCE, lookup, idempotent=True)

    # ----------------------------------------------------------------- classification
    def _validate(self, op: Operation, adapter: TypeAdapter[Any], raw: dict[str, Any]) -> Any:
        try:
            return adapter.validate_python(raw)
        except ValidationError as exc:
            raise self.contract_violation(op, exc) from None

    def _raise_on_failure(self, messages: list[BapiReturn]) -> None:
        failed = [m for m in messages if m.TYPE in ("E", "A")]
        if failed:
            first = failed[0]
            raise UpstreamUnavailable(
                f"{self.name} reported an error inside a successful response "
                f"({first.ID} {_num(first.NUMBER)})",
                connector=self.name,
                provider_code=f"{first.ID}/{_num(first.NUMBER)}",
            )


def _num(value: str | int | None) -> str:
    return f"{int(value):03d}" if value not in (None, "") else ""


def _refusal(failed: list[BapiReturn], *, aborted: bool) -> UpstreamRejected | UpstreamUnavailable:
    first = failed[0] if failed else None
    message = (first.MESSAGE or "") if first else "no sales order number returned"
    code = f"{first.ID}/{_num(first.NUMBER)}" if first else None
    if aborted:
        return UpstreamUnavailable(
            f"erp aborted the create: {message[:200]}", connector="erp", provider_code=code
        )
    return UpstreamRejected(
        f"erp rejected the sales order: {message[:200]}", connector="erp", provider_code=code
    )
