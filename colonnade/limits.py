"""Gateway limits (depth, aliases, tokens): linear in the document, rules built once per schema.

Strawberry's QueryDepthLimiter and MaxAliasesLimiter re-walk a fragment at every spread, so a
2 KB document whose fragments each spread two others costs 2^levels walks (10 s at 20 levels,
with the event loop frozen). Here one walk computes each fragment's depth and alias count once
(memoised), and a spread reuses it: the work is linear in the document, whatever it expands to.

Validation is synchronous CPU work that no deadline can interrupt, so the bound on it is this
linearity times ``server.max_tokens`` (the parser refuses longer documents first); graphql-core's
own rules are linear too (measured with the same fragment bomb).

The rule class is made once, when the schema is built, and each request's extension adds that
same class: Strawberry's ValidationCache is keyed by the rules, so a repeated query is parsed and
validated once, then served from ParserCache and ValidationCache.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from strawberry.extensions import SchemaExtension


@dataclass(frozen=True, slots=True)
class _Size:
    depth: int
    aliases: int


@dataclass(slots=True)
class DocumentMeasure:
    """Depth per operation and aliases in the whole document, as executed (spreads expanded)."""

    depths: dict[str, int] = field(default_factory=dict)
    aliases: int = 0
    fragment_walks: int = 0
    """How many fragment bodies were walked: at most one per fragment definition."""


class _Measurer:
    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.memo: dict[str, _Size] = {}
        self.in_progress: set[str] = set()
        self.walks = 0

    def fragment(self, name: str) -> _Size:
        known = self.memo.get(name)
        if known is not None:
            return known
        definition = self.fragments.get(name)
        if definition is None or name in self.in_progress:
            # Unknown fragments and cycles are graphql-core's rules' to report; count nothing.
            return _Size(0, 0)
        self.in_progress.add(name)
        self.walks += 1
        size = self.selections(definition.selection_set)
        self.in_progress.discard(name)
        self.memo[name] = size
        return size

    def selections(self, selection_set: SelectionSetNode | None) -> _Size:
        depth = aliases = 0
        if selection_set is None:
            return _Size(0, 0)
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                aliases += 1 if selection.alias else 0
                if selection.name.value.startswith("__") or selection.selection_set is None:
                    continue  # introspection fields and leaves add no depth
                inner = self.selections(selection.selection_set)
                depth = max(depth, 1 + inner.depth)
                aliases += inner.aliases
            else:
                if isinstance(selection, FragmentSpreadNode):
                    inner = self.fragment(selection.name.value)
                elif isinstance(selection, InlineFragmentNode):
                    inner = self.selections(selection.selection_set)
                else:  # pragma: no cover - graphql-core has no other selection kind
                    continue
                depth = max(depth, inner.depth)
                aliases += inner.aliases
        return _Size(depth, aliases)


def measure(document: DocumentNode) -> DocumentMeasure:
    measurer = _Measurer(document)
    result = DocumentMeasure()
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            size = measurer.selections(definition.selection_set)
            name = definition.name.value if definition.name else "anonymous"
            result.depths[name] = size.depth
            result.aliases += size.aliases
    result.fragment_walks = measurer.walks
    return result


def limits_rule(*, max_depth: int, max_aliases: int) -> type[ValidationRule]:
    class SelectionLimits(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            found = measure(context.document)
            for definition in context.document.definitions:
                if not isinstance(definition, OperationDefinitionNode):
                    continue
                name = definition.name.value if definition.name else "anonymous"
                if found.depths.get(name, 0) > max_depth:
                    context.report_error(
                        GraphQLError(
                            f"'{name}' exceeds maximum operation depth of {max_depth}",
                            definition,
                        )
                    )
            if found.aliases > max_aliases:
                context.report_error(
                    GraphQLError(f"{found.aliases} aliases found. Allowed: {max_aliases}")
                )

    return SelectionLimits


def gateway_limits(
    *, max_depth: int, max_aliases: int, max_tokens: int
) -> Callable[[], SchemaExtension]:
    rules = (limits_rule(max_depth=max_depth, max_aliases=max_aliases),)

    class GatewayLimits(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            context = self.execution_context
            context.parse_options["max_tokens"] = max_tokens
            context.validation_rules = (*context.validation_rules, *rules)
            yield

    return GatewayLimits
