"""Cost, not just depth: a static price per operation, refused above a limit before any call.

Each field declares what resolving it costs upstream, where it is declared
(``directives=cost(1, slicing_argument="first", assumed_size=20, sized_fields=["edges"])``),
as Apollo's demand-control directives ``@cost`` and ``@listSize`` that also appear in the SDL.
A field's weight is paid once per parent object, multiplied by the sizes of the lists above
it (``first`` from a literal, a variable or the argument's default); a ``batched`` field (one
DataLoader call for all parents) is paid once per selection instead. A list without a
declared size counts as one item: declare ``assumed_size`` where its items' fields call out.

Linear in the document: a selection set's cost is ``A·m + B`` for a parent multiplicity ``m``
(``A`` per-object weights, ``B`` batched ones), so each fragment is priced once and memoised,
however often it is spread. Computed per request (list sizes come from variables) before
execution; above ``gateway.max_cost`` the answer is ``COST_LIMIT_EXCEEDED`` with ``cost`` and
``limit``, and no resolver runs.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_operation_ast,
    value_from_ast_untyped,
)
from graphql.pyutils import Undefined
from strawberry.extensions import SchemaExtension
from strawberry.federation.schema_directives import Cost, ListSize
from strawberry.types.unset import UNSET

from colonnade.errors import ErrorCode
from colonnade.gateway.client_limits import ClientCostBudget

_BACKREF = "strawberry-definition"


class _BatchedCost(Cost):
    """Printed as ``@cost(weight:)``; the analyzer pays it once per selection, not per
    parent (a router that does not know better over-estimates, which is safe)."""

    batched: ClassVar[bool] = True


def cost(
    weight: int,
    *,
    batched: bool = False,
    slicing_argument: str | None = None,
    assumed_size: int | None = None,
    sized_fields: Sequence[str] = (),
) -> list[object]:
    """The schema directives declaring a field's upstream cost (``directives=cost(...)``)."""
    directives: list[object] = [_BatchedCost(weight=weight) if batched else Cost(weight=weight)]
    if slicing_argument or assumed_size is not None or sized_fields:
        directives.append(
            # Unset arguments are left out, not printed as null: Apollo's composition
            # crashes on `sizedFields: null` (a TypeError in validateListSizeAppliedToList).
            ListSize(
                assumed_size=UNSET if assumed_size is None else assumed_size,
                slicing_arguments=[slicing_argument] if slicing_argument else UNSET,
                sized_fields=list(sized_fields) or UNSET,
                require_one_slicing_argument=False,
            )
        )
    return directives


@dataclass(frozen=True, slots=True)
class _Spec:
    weight: int = 0
    batched: bool = False
    slicing: tuple[str, ...] = ()
    assumed_size: int | None = None
    sized_fields: frozenset[str] = frozenset()


_ENTITIES = _Spec(weight=1, batched=True)
"""Federation's ``_entities``: one batched lookup per entity type, its list as long as the
``representations`` sent (declared nowhere: Strawberry adds the field), so a router's (or a
caller's) N entities cost what N objects of a list query do."""


def _spec(field: GraphQLField) -> _Spec:
    definition = (field.extensions or {}).get(_BACKREF)
    weight, batched = 0, False
    slicing: tuple[str, ...] = ()
    assumed: int | None = None
    sized: frozenset[str] = frozenset()
    for directive in getattr(definition, "directives", None) or ():
        if isinstance(directive, Cost):
            weight, batched = directive.weight, getattr(directive, "batched", False)
        elif isinstance(directive, ListSize):
            slicing = tuple(directive.slicing_arguments or ())
            assumed = None if directive.assumed_size is UNSET else directive.assumed_size
            sized = frozenset(directive.sized_fields or ())
    return _Spec(weight, batched, slicing, assumed, sized)


_Parts = tuple[int, int, int, int]  # (A, B) of sized fields, then (A, B) of the others


class CostAnalyzer:
    """Prices operations against one schema; the per-field table is built once.

    A repeated query text is priced once per distinct value of the variables its list sizes
    read (the walk records which), kept in an LRU like the parser's: pricing is then a dict
    look-up, not a walk (a walk of the README's nested query is ~0.1 ms)."""

    def __init__(self, schema: GraphQLSchema, *, cache_size: int = 1000) -> None:
        self.schema = schema
        self._specs: dict[tuple[str, str], _Spec] = {}
        self._cache_size = cache_size
        self._prices: OrderedDict[tuple[str, str | None], tuple[tuple[str, ...], dict[Any, int]]]
        self._prices = OrderedDict()

    def cached_cost(
        self, query: str, document: Any, operation_name: str | None, variables: dict[str, Any]
    ) -> int:
        key = (query, operation_name)
        entry = self._prices.get(key)
        if entry is not None:
            self._prices.move_to_end(key)
            names, prices = entry
            values = tuple(_hashable(variables.get(n)) for n in names)
            price = prices.get(values)
            if price is None:
                price = self.operation_cost(document, operation_name, variables)
                if len(prices) < 64:
                    prices[values] = price
            return price
        walk_names: list[str] = []
        price = self.operation_cost(document, operation_name, variables, walk_names)
        names = tuple(dict.fromkeys(walk_names))
        values = tuple(_hashable(variables.get(n)) for n in names)
        self._prices[key] = (names, {values: price})
        if len(self._prices) > self._cache_size:
            self._prices.popitem(last=False)
        return price

    def operation_cost(
        self,
        document: Any,
        operation_name: str | None,
        variables: dict[str, Any],
        read_variables: list[str] | None = None,
    ) -> int:
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            return 0
        root = self.schema.get_root_type(operation.operation)
        if root is None:
            return 0
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        walk = _Walk(self, fragments, variables)
        price = walk.root(operation, root)
        if read_variables is not None:
            read_variables.extend(walk.read_variables)
        return price

    def spec(self, parent: Any, name: str) -> tuple[GraphQLField, _Spec] | None:
        field = getattr(parent, "fields", {}).get(name)
        if field is None:
            return None
        key = (parent.name, name)
        found = self._specs.get(key)
        if found is None:
            entities = name == "_entities" and parent is self.schema.query_type
            found = self._specs[key] = _ENTITIES if entities else _spec(field)
        return field, found


class _Walk:
    def __init__(
        self,
        analyzer: CostAnalyzer,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
    ) -> None:
        self.analyzer = analyzer
        self.fragments = fragments
        self.variables = variables
        self.memo: dict[tuple[str, frozenset[str]], _Parts] = {}
        self.read_variables: list[str] = []

    def root(self, operation: OperationDefinitionNode, root: Any) -> int:
        _, _, a, b = self.selections(operation.selection_set, root, frozenset())
        return a + b

    def selections(
        self, selection_set: SelectionSetNode, parent: Any, sized: frozenset[str]
    ) -> _Parts:
        a_in = b_in = a_out = b_out = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                a, b = self.field(selection, parent)
                if selection.name.value in sized:
                    a_in, b_in = a_in + a, b_in + b
                else:
                    a_out, b_out = a_out + a, b_out + b
                continue
            if isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = (
                    self.analyzer.schema.get_type(condition.name.value) if condition else parent
                )
                parts = self.selections(selection.selection_set, target or parent, sized)
            elif isinstance(selection, FragmentSpreadNode):
                parts = self.spread(selection.name.value, sized)
            else:  # pragma: no cover - graphql-core has no other selection kinds
                continue
            a_in, b_in = a_in + parts[0], b_in + parts[1]
            a_out, b_out = a_out + parts[2], b_out + parts[3]
        return a_in, b_in, a_out, b_out

    def spread(self, name: str, sized: frozenset[str]) -> _Parts:
        key = (name, sized)
        found = self.memo.get(key)
        if found is None:
            fragment = self.fragments.get(name)
            target = (
                self.analyzer.schema.get_type(fragment.type_condition.name.value)
                if fragment is not None
                else None
            )
            found = (0, 0, 0, 0)
            if fragment is not None and target is not None:
                found = self.selections(fragment.selection_set, target, sized)
            self.memo[key] = found
        return found

    def field(self, node: FieldNode, parent: Any) -> tuple[int, int]:
        if node.name.value.startswith("__"):
            return 0, 0
        found = self.analyzer.spec(parent, node.name.value)
        if found is None:
            return 0, 0
        field, spec = found
        a, b = (0, spec.weight) if spec.batched else (spec.weight, 0)
        if node.selection_set is None:
            return a, b
        child = get_named_type(field.type)
        size = self.size(node, field, spec)
        if spec.sized_fields:
            a_in, b_in, a_out, b_out = self.selections(node.selection_set, child, spec.sized_fields)
            return a + a_in * size + a_out, b + b_in + b_out
        _, _, a_out, b_out = self.selections(node.selection_set, child, frozenset())
        return a + a_out * size, b + b_out

    def size(self, node: FieldNode, field: GraphQLField, spec: _Spec) -> int:
        if spec is _ENTITIES:
            return self.length(node, "representations")
        for name in spec.slicing:
            value = self.argument(node, field, name)
            if isinstance(value, int) and not isinstance(value, bool):
                return max(value, 0)
        if spec.assumed_size is not None:
            return spec.assumed_size
        return 1

    def length(self, node: FieldNode, name: str) -> int:
        """How many items a list argument holds (a literal or a variable)."""
        for arg in node.arguments or ():
            if arg.name.value != name:
                continue
            if isinstance(arg.value, ListValueNode):
                return len(arg.value.values)
            if isinstance(arg.value, VariableNode):
                self.read_variables.append(arg.value.name.value)
                value = self.variables.get(arg.value.name.value)
                return len(value) if isinstance(value, list) else 1
        return 1

    def argument(self, node: FieldNode, field: GraphQLField, name: str) -> Any:
        for arg in node.arguments or ():
            if arg.name.value != name:
                continue
            if isinstance(arg.value, IntValueNode):
                return int(arg.value.value)
            if isinstance(arg.value, VariableNode):
                self.read_variables.append(arg.value.name.value)
                return self.variables.get(arg.value.name.value)
            return None
        declared = field.args.get(name)
        if declared is None or declared.default_value is Undefined:
            return None
        return declared.default_value


def cost_limit(
    max_cost: int | None, budget: ClientCostBudget | None = None
) -> Callable[[], SchemaExtension]:
    """The schema extension refusing operations above ``max_cost``, and — with a ``budget`` —
    charging each operation's price to its client (``RATE_LIMITED`` once it is spent)."""
    analyzers: dict[int, CostAnalyzer] = {}

    class CostLimit(SchemaExtension):
        async def on_execute(self) -> AsyncIterator[None]:
            context = self.execution_context
            document = context.graphql_document
            if document is not None and context.result is None:
                schema = context.schema._schema
                analyzer = analyzers.get(id(schema))
                if analyzer is None:
                    analyzer = analyzers[id(schema)] = CostAnalyzer(schema)
                given = context.variables if isinstance(context.variables, dict) else {}
                variables = with_defaults(document, context.operation_name, given)
                price = (
                    analyzer.cached_cost(context.query, document, context.operation_name, variables)
                    if context.query
                    else analyzer.operation_cost(document, context.operation_name, variables)
                )
                if max_cost is not None and price > max_cost:
                    context.result = _refusal(
                        f"operation cost {price} exceeds the limit of {max_cost} "
                        "(list sizes x upstream calls); ask for smaller pages",
                        code=ErrorCode.COST_LIMIT_EXCEEDED.value,
                        cost=price,
                        limit=max_cost,
                    )
                elif budget is not None:
                    request = context.context
                    wait = await budget.charge(getattr(request, "principal", None), price)
                    if wait > 0:
                        context.result = _over_budget(request, price, budget, wait)
            yield

    return CostLimit


def with_defaults(
    document: Any, operation_name: str | None, variables: dict[str, Any]
) -> dict[str, Any]:
    """The variables as execution will see them: a variable left out takes its declared
    default (``query($n: Int = 100)`` is priced as 100, not as the assumed size)."""
    operation = get_operation_ast(document, operation_name)
    defaults = {
        d.variable.name.value: value_from_ast_untyped(d.default_value)
        for d in (operation.variable_definitions or () if operation is not None else ())
        if d.default_value is not None and d.variable.name.value not in variables
    }
    return {**defaults, **variables} if defaults else variables


def _hashable(value: Any) -> Any:
    """A price-cache key part: a list variable is priced by its length alone (``_entities``),
    so 1,000 representations are not kept as text per cached price."""
    if isinstance(value, list):
        return ("list", len(value))
    return value if isinstance(value, int | str | float | bool | None) else repr(value)


def _refusal(message: str, **extensions: Any) -> ExecutionResult:
    return ExecutionResult(data=None, errors=[GraphQLError(message, extensions=extensions)])


def _over_budget(
    request: Any, price: int, budget: ClientCostBudget, wait: float
) -> ExecutionResult:
    retry_after = None if math.isinf(wait) else max(1, math.ceil(wait))
    response = getattr(request, "response", None)
    if response is not None:  # the view's temporal response: status and headers of the answer
        response.status_code = 429
        if retry_after is not None:
            response.headers["retry-after"] = str(retry_after)
    why = (
        f"operation cost {price} is more than this client's whole budget"
        if retry_after is None
        else f"this client's cost budget is spent; retry in {retry_after} s"
    )
    return _refusal(
        why,
        code=ErrorCode.RATE_LIMITED.value,
        cost=price,
        budget=budget.per_window,
        retryAfter=retry_after,
    )
