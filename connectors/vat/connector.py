"""EU VAT numbers checked at VIES (SOAP 1.1, checkVat), one call per number.

A number is parsed before any call (``numbers.parse``: a malformed one is BAD_USER_INPUT and
never sent). Checks go through their member state's breaker (``KeyGroups``) and VIES's own
(``service.through_vies``); each fault is classified by ``faults.CODES``. Answers are cached
in the ``standard`` tier: a registration changes rarely, and VIES asks callers not to repeat
checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import TypeAdapter, ValidationError

from colonnade import (
    Attempt,
    BadUserInput,
    ConfigError,
    KeyGroups,
    Operation,
    PerKey,
    Runtime,
    SoapConnector,
    SoapFault,
    UpstreamError,
)
from colonnade.connectors.vat.faults import BY_CODE, FAULT_TABLE
from colonnade.connectors.vat.models import CheckVatReply, VatRegistration, to_registration
from colonnade.connectors.vat.numbers import member_state, parse
from colonnade.connectors.vat.service import VIES_SERVICE, through_vies
from colonnade.connectors.vat.settings import VIES_WSDL_URL, VatSettings

CHECK_VAT = Operation(
    "vat",
    "check_vat",
    tier="standard",
    breaker_scope=KeyGroups("member_state", member_state),
)
_REGISTRATION = TypeAdapter(VatRegistration)


class VatConnector(SoapConnector):
    name = "vat"
    operations = (CHECK_VAT, VIES_SERVICE)
    api_version = "checkVatService-1"  # the WSDL at VIES_WSDL_URL
    fault_table = FAULT_TABLE

    def __init__(self, settings: VatSettings, runtime: Runtime) -> None:
        if settings.wsdl is None:
            raise ConfigError(
                f"connectors.vat.wsdl is not set: save {VIES_WSDL_URL} and point it there "
                "(or COLONNADE_CONNECTORS__VAT__WSDL)"
            )
        super().__init__(settings, runtime)

    async def registrations(self, numbers: Sequence[str]) -> PerKey[VatRegistration]:
        """Each number as given → its registration, or the error for it alone."""
        answers: PerKey[VatRegistration] = {}
        canonical: dict[str, str] = {}
        for given in dict.fromkeys(numbers):
            try:
                canonical[given] = str(parse(given))
            except BadUserInput as refused:
                answers[given] = refused
        checked = await self.pipeline.read_each(
            CHECK_VAT,
            list(dict.fromkeys(canonical.values())),
            self._check,
            _REGISTRATION,
            scope=self.cache_scope(),
        )
        answers.update({given: checked[key] for given, key in canonical.items()})
        return answers

    async def contract_probe(self) -> None:
        """One check (live: ``contract_samples.vat``, a number registered at VIES)."""
        await self.registrations([self.settings.contract_samples.get("vat", "DE100000001")])

    async def _check(self, key: str, attempt: Attempt) -> VatRegistration:
        vat = parse(key)

        async def call() -> dict[str, Any]:
            return await self.invoke(
                attempt, CHECK_VAT, "checkVat", countryCode=vat.country, vatNumber=vat.number
            )

        raw = await through_vies(self.pipeline.caller, CHECK_VAT, call)
        try:
            reply = CheckVatReply.model_validate(raw)
        except ValidationError as exc:
            raise self.contract_violation(CHECK_VAT, exc) from None
        return to_registration(reply)

    # ----------------------------------------------------------------- faults
    def fault_message(self, op: Operation, fault: SoapFault, error: type[UpstreamError]) -> str:
        known = BY_CODE.get(fault.faultstring.strip())
        if known is None:
            return super().fault_message(op, fault, error)
        return f"VIES: {known.meaning} ({known.code})"

    def fault_error(
        self, op: Operation, fault: SoapFault, *, status: int | None = None
    ) -> UpstreamError:
        error = super().fault_error(op, fault, status=status)
        if error.provider_code in BY_CODE:  # a closed set: safe to show a client
            error.extensions["viesCode"] = error.provider_code
        return error
