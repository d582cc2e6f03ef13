"""The served subset of Shopify's GraphQL Admin API schema, in SDL.

Type, field and enum names follow Shopify's; only what the pipeline selects (and
a little around it) exists. Money amounts (`Decimal`, `Money`) and
`UnsignedInt64` are strings on the wire, as Shopify sends them.
"""

CONNECTION_ARGS = "first: Int, after: String, last: Int, before: String, reverse: Boolean = false"


def _connection(name: str, node: str) -> str:
    return f"""
type {name}Connection {{ edges: [{name}Edge!]! nodes: [{node}!]! pageInfo: PageInfo! }}
type {name}Edge {{ cursor: String! node: {node}! }}"""


SDL = f"""
schema {{ query: QueryRoot mutation: Mutation }}

scalar DateTime
scalar Decimal
scalar Money
scalar UnsignedInt64
scalar URL

interface Node {{ id: ID! }}

type PageInfo {{
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
  endCursor: String
}}

enum CurrencyCode {{ USD CAD GBP EUR AUD JPY CHF SEK NOK DKK NZD MXN }}
enum CountryCode {{ US CA GB AU DE FR NL ES IT IE NZ MX }}
enum CustomerSortKeys {{ CREATED_AT ID NAME RELEVANCE UPDATED_AT }}
enum OrderSortKeys {{ CREATED_AT ID PROCESSED_AT RELEVANCE UPDATED_AT }}
enum ProductSortKeys {{ CREATED_AT ID RELEVANCE TITLE UPDATED_AT }}
enum CustomerState {{ DECLINED DISABLED ENABLED INVITED }}
enum CustomerEmailMarketingState {{
  INVALID NOT_SUBSCRIBED PENDING REDACTED SUBSCRIBED UNSUBSCRIBED
}}
enum CustomerSmsMarketingState {{ NOT_SUBSCRIBED PENDING REDACTED SUBSCRIBED UNSUBSCRIBED }}
enum CustomerMarketingOptInLevel {{ CONFIRMED_OPT_IN SINGLE_OPT_IN UNKNOWN }}
enum OrderCancelReason {{ CUSTOMER DECLINED FRAUD INVENTORY OTHER STAFF }}
enum OrderDisplayFinancialStatus {{
  AUTHORIZED EXPIRED PAID PARTIALLY_PAID PARTIALLY_REFUNDED PENDING REFUNDED VOIDED
}}
enum OrderDisplayFulfillmentStatus {{
  FULFILLED IN_PROGRESS ON_HOLD OPEN PARTIALLY_FULFILLED PENDING_FULFILLMENT RESTOCKED
  SCHEDULED UNFULFILLED
}}
enum ProductStatus {{ ACTIVE ARCHIVED DRAFT }}
enum BulkOperationStatus {{ CANCELED CANCELING COMPLETED CREATED EXPIRED FAILED RUNNING }}
enum BulkOperationErrorCode {{ ACCESS_DENIED INTERNAL_SERVER_ERROR TIMEOUT }}
enum BulkOperationType {{ MUTATION QUERY }}

type MoneyV2 {{ amount: Decimal! currencyCode: CurrencyCode! }}
type MoneyBag {{ shopMoney: MoneyV2! presentmentMoney: MoneyV2! }}

type MailingAddress {{
  address1: String city: String province: String country: String countryCodeV2: CountryCode
  zip: String phone: String
}}
type CustomerEmailMarketingConsentState {{
  marketingState: CustomerEmailMarketingState!
  marketingOptInLevel: CustomerMarketingOptInLevel
  consentUpdatedAt: DateTime
}}
type CustomerSmsMarketingConsentState {{
  marketingState: CustomerSmsMarketingState!
  marketingOptInLevel: CustomerMarketingOptInLevel
  consentUpdatedAt: DateTime
}}

type Customer implements Node {{
  id: ID!
  firstName: String
  lastName: String
  displayName: String!
  email: String
  phone: String
  state: CustomerState!
  verifiedEmail: Boolean!
  tags: [String!]!
  note: String
  createdAt: DateTime!
  updatedAt: DateTime!
  numberOfOrders: UnsignedInt64!
  amountSpent: MoneyV2!
  emailMarketingConsent: CustomerEmailMarketingConsentState
  smsMarketingConsent: CustomerSmsMarketingConsentState
  defaultAddress: MailingAddress
}}

type Order implements Node {{
  id: ID!
  name: String!
  email: String
  phone: String
  createdAt: DateTime!
  updatedAt: DateTime!
  processedAt: DateTime!
  cancelledAt: DateTime
  closedAt: DateTime
  cancelReason: OrderCancelReason
  currencyCode: CurrencyCode!
  displayFinancialStatus: OrderDisplayFinancialStatus
  displayFulfillmentStatus: OrderDisplayFulfillmentStatus!
  sourceName: String
  tags: [String!]!
  test: Boolean!
  discountCodes: [String!]!
  customer: Customer
  totalPriceSet: MoneyBag!
  subtotalPriceSet: MoneyBag
  totalDiscountsSet: MoneyBag
  totalTaxSet: MoneyBag
  totalRefundedSet: MoneyBag!
  refunds(first: Int): [Refund!]!
  lineItems({CONNECTION_ARGS}): LineItemConnection!
}}

type LineItem implements Node {{
  id: ID!
  sku: String
  title: String!
  quantity: Int!
  variant: ProductVariant
  product: Product
  originalUnitPriceSet: MoneyBag!
  discountedTotalSet: MoneyBag!
}}

type Refund implements Node {{
  id: ID!
  createdAt: DateTime
  note: String
  totalRefundedSet: MoneyBag!
  refundLineItems({CONNECTION_ARGS}): RefundLineItemConnection!
}}

type RefundLineItem {{
  quantity: Int!
  lineItem: LineItem!
  subtotalSet: MoneyBag!
}}

type TaxonomyCategory implements Node {{ id: ID! name: String! fullName: String! }}

type Product implements Node {{
  id: ID!
  title: String!
  handle: String!
  productType: String!
  vendor: String!
  status: ProductStatus!
  tags: [String!]!
  createdAt: DateTime!
  updatedAt: DateTime!
  category: TaxonomyCategory
  variants({CONNECTION_ARGS}): ProductVariantConnection!
}}

type ProductVariant implements Node {{
  id: ID!
  sku: String
  title: String!
  price: Money!
  inventoryQuantity: Int
  createdAt: DateTime!
  updatedAt: DateTime!
}}

type BulkOperation implements Node {{
  id: ID!
  status: BulkOperationStatus!
  errorCode: BulkOperationErrorCode
  objectCount: UnsignedInt64!
  rootObjectCount: UnsignedInt64!
  fileSize: UnsignedInt64
  url: URL
  partialDataUrl: URL
  createdAt: DateTime!
  completedAt: DateTime
  query: String!
  type: BulkOperationType!
}}

type Shop implements Node {{
  id: ID!
  name: String!
  myshopifyDomain: String!
  currencyCode: CurrencyCode!
  ianaTimezone: String!
}}

type UserError {{ field: [String!] message: String! }}
enum CountPrecision {{ EXACT AT_LEAST }}
type Count {{ count: Int! precision: CountPrecision! }}
type BulkOperationRunQueryPayload {{ bulkOperation: BulkOperation userErrors: [UserError!]! }}

{_connection("Customer", "Customer")}
{_connection("Order", "Order")}
{_connection("Product", "Product")}
{_connection("LineItem", "LineItem")}
{_connection("ProductVariant", "ProductVariant")}
{_connection("RefundLineItem", "RefundLineItem")}

type QueryRoot {{
  customers({CONNECTION_ARGS}, query: String, sortKey: CustomerSortKeys = ID): CustomerConnection!
  orders({CONNECTION_ARGS}, query: String, sortKey: OrderSortKeys = PROCESSED_AT): OrderConnection!
  products({CONNECTION_ARGS}, query: String, sortKey: ProductSortKeys = ID): ProductConnection!
  customersCount(query: String, limit: Int = 10000): Count
  ordersCount(query: String, limit: Int = 10000): Count
  productsCount(query: String, limit: Int = 10000): Count
  customer(id: ID!): Customer
  order(id: ID!): Order
  product(id: ID!): Product
  node(id: ID!): Node
  nodes(ids: [ID!]!): [Node]!
  shop: Shop!
  currentBulkOperation(type: BulkOperationType = QUERY): BulkOperation
}}

type Mutation {{
  bulkOperationRunQuery(query: String!): BulkOperationRunQueryPayload
}}
"""
