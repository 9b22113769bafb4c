"""The benchmark's questions, each asked of Colonnade (GraphQL) and of the baseline (REST).

Both answer with the same JSON body (``{"data": ...}``), which the harness checks once per run.
"""

from __future__ import annotations

import json

from loadgen import Request

NESTED = """
query Nested($first: Int!) {
  customers(first: $first) {
    edges { node {
      id name erpCustomerNumber
      salesOrders {
        number date status netValue { amount currency } items { position material quantity }
      }
      payments { id status amount { amount currency } }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

CUSTOMER_ORDERS = """
query CustomerOrders($id: ID!) {
  customer(id: $id) {
    id name erpCustomerNumber
    salesOrders {
      number date status netValue { amount currency } items { position material quantity }
    }
  }
}
"""

CUSTOMER_PAYMENTS = """
query CustomerPayments($id: ID!) {
  customer(id: $id) { id name payments { id status amount { amount currency } } }
}
"""

HOT_CUSTOMER = "001000000000041AAA"
"""Customer 41: 5 sales orders with 14 items, 4 payments."""
HERD_CUSTOMERS = ("001000000000051AAA", "001000000000066AAA", "001000000000064AAA")
"""Never asked for before the herd workload, so each round starts cold."""


def crm_id(index: int) -> str:
    """The sandbox's CRM id of customer ``index`` (1-based; sandboxes/data.py)."""
    return "001" + f"{index:012d}" + "AAA"


def graphql(query: str, variables: dict[str, object], label: str = "default") -> Request:
    body = json.dumps({"query": query, "variables": variables}, separators=(",", ":"))
    return Request("POST", "/graphql", body.encode(), label=label)


def rest(path: str, label: str = "default") -> Request:
    return Request("GET", path, label=label)


def nested(system: str, first: int = 100) -> Request:
    if system == "colonnade":
        return graphql(NESTED, {"first": first}, "nested")
    return rest(f"/customers?first={first}", "nested")


def customer_orders(system: str, customer: str, label: str = "orders") -> Request:
    if system == "colonnade":
        return graphql(CUSTOMER_ORDERS, {"id": customer}, label)
    return rest(f"/customer/{customer}?orders=1", label)


def customer_payments(system: str, customer: str, label: str = "payments") -> Request:
    if system == "colonnade":
        return graphql(CUSTOMER_PAYMENTS, {"id": customer}, label)
    return rest(f"/customer/{customer}?payments=1", label)
