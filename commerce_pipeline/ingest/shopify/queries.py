"""The GraphQL Admin API documents the pipeline sends (and the simulator serves).

Field selections live in one place per resource so the paginated query, the bulk
query and the nested-connection drain queries cannot drift apart.
"""

from __future__ import annotations

PAGE_SIZE = 100  # most top-level nodes per page; the client lowers it to fit the cost budget
NESTED_PAGE_SIZE = 100  # nested items per page in drain queries (Shopify's limit is 250)
# Nested connections inside a page query are sized small: Shopify charges
# first x node cost for each of them on every node of the page, and most orders
# have a handful of line items. Longer ones are drained with `nested_page_query`.
NESTED_PAGE_SIZES = {"lineItems": 10, "variants": 20, "refundLineItems": 5}

MONEY = "shopMoney { amount currencyCode }"

CUSTOMER_FIELDS = """
    id
    firstName
    lastName
    email
    phone
    state
    verifiedEmail
    tags
    note
    createdAt
    updatedAt
    numberOfOrders
    amountSpent { amount currencyCode }
    emailMarketingConsent { marketingState marketingOptInLevel consentUpdatedAt }
    smsMarketingConsent { marketingState consentUpdatedAt }
    defaultAddress { address1 city province country countryCodeV2 zip phone }
"""

LINE_ITEM_FIELDS = f"""
    id
    sku
    title
    quantity
    variant {{ id }}
    product {{ id }}
    originalUnitPriceSet {{ {MONEY} }}
    discountedTotalSet {{ {MONEY} }}
"""

REFUND_LINE_ITEM_FIELDS = f"""
    quantity
    lineItem {{ id }}
    subtotalSet {{ {MONEY} }}
"""

ORDER_FIELDS = f"""
    id
    name
    email
    phone
    createdAt
    updatedAt
    processedAt
    cancelledAt
    closedAt
    cancelReason
    currencyCode
    displayFinancialStatus
    displayFulfillmentStatus
    sourceName
    tags
    test
    discountCodes
    customer {{ id }}
    totalPriceSet {{ {MONEY} }}
    subtotalPriceSet {{ {MONEY} }}
    totalDiscountsSet {{ {MONEY} }}
    totalTaxSet {{ {MONEY} }}
    totalRefundedSet {{ {MONEY} }}
    refunds {{
      id
      createdAt
      note
      totalRefundedSet {{ {MONEY} }}
      refundLineItems(first: {NESTED_PAGE_SIZES["refundLineItems"]}) {{
        pageInfo {{ hasNextPage endCursor }}
        nodes {{ {REFUND_LINE_ITEM_FIELDS} }}
      }}
    }}
"""

VARIANT_FIELDS = """
    id
    sku
    title
    price
    inventoryQuantity
    createdAt
    updatedAt
"""

PRODUCT_FIELDS = """
    id
    title
    handle
    productType
    vendor
    status
    tags
    createdAt
    updatedAt
    category { id name fullName }
"""

# resource -> (top-level connection, node fields, nested connections {name: fields})
RESOURCES = {
    "customers": ("customers", CUSTOMER_FIELDS, {}),
    "orders": ("orders", ORDER_FIELDS, {"lineItems": LINE_ITEM_FIELDS}),
    "products": ("products", PRODUCT_FIELDS, {"variants": VARIANT_FIELDS}),
}
# GraphQL type of each connection's node, for `node(id:)` drain queries.
NODE_TYPES = {"customers": "Customer", "orders": "Order", "products": "Product"}


def _nested_block(nested: dict[str, str], paginated: bool) -> str:
    parts = []
    for name, fields in nested.items():
        if paginated:
            parts.append(
                f"{name}(first: {NESTED_PAGE_SIZES[name]}) {{ pageInfo {{ hasNextPage endCursor }} "
                f"nodes {{ {fields} }} }}"
            )
        else:  # bulk operations take connections without page arguments
            parts.append(f"{name} {{ edges {{ node {{ {fields} }} }} }}")
    return "\n".join(parts)


def page_query(resource: str) -> str:
    """One page of a resource, filtered by a search query, oldest change first."""
    connection, fields, nested = RESOURCES[resource]
    return f"""
query Page($first: Int!, $after: String, $query: String) {{
  {connection}(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      {fields}
      {_nested_block(nested, paginated=True)}
    }}
  }}
}}"""


def bulk_query(resource: str, search: str | None) -> str:
    """The inner query of a bulkOperationRunQuery for a whole resource."""
    connection, fields, nested = RESOURCES[resource]
    args = f'(query: "{search}")' if search else ""
    # Bulk queries cannot page nested connections inside a list field, so order
    # refunds' line items are drained afterwards like in the paginated path.
    return f"""
{{
  {connection}{args} {{
    edges {{
      node {{
        {fields}
        {_nested_block(nested, paginated=False)}
      }}
    }}
  }}
}}"""


def nested_page_query(resource: str, connection: str) -> str:
    """The next page of one nested connection of one node (e.g. an order's lineItems)."""
    _, _, nested = RESOURCES[resource]
    if connection == "refundLineItems":
        fields = REFUND_LINE_ITEM_FIELDS
        return f"""
query RefundLines($id: ID!, $first: Int!, $after: String) {{
  node(id: $id) {{
    ... on Refund {{
      refundLineItems(first: $first, after: $after) {{
        pageInfo {{ hasNextPage endCursor }}
        nodes {{ {fields} }}
      }}
    }}
  }}
}}"""
    fields = nested[connection]
    return f"""
query Nested($id: ID!, $first: Int!, $after: String) {{
  node(id: $id) {{
    ... on {NODE_TYPES[resource]} {{
      {connection}(first: $first, after: $after) {{
        pageInfo {{ hasNextPage endCursor }}
        nodes {{ {fields} }}
      }}
    }}
  }}
}}"""


BULK_RUN_MUTATION = """
mutation RunBulk($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status }
    userErrors { field message }
  }
}"""

BULK_STATUS_QUERY = """
query BulkStatus($id: ID!) {
  node(id: $id) {
    ... on BulkOperation { id status errorCode objectCount rootObjectCount url partialDataUrl }
  }
}"""

SHOP_QUERY = """
query Shop { shop { name myshopifyDomain currencyCode ianaTimezone } }"""
