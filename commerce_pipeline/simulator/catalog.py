"""The product catalog: categories with product types and price ranges, products with variants.

Products are GraphQL-shaped dicts (their variants as a list under "variants");
flat numpy arrays over all variants let the order generator sample baskets
without touching the dicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from commerce_pipeline.simulator.persons import iso_days

# (name, taxonomy id, taxonomy name, full name, product types, price range, option values)
CATEGORIES = (
    ("Apparel", "aa-1", "Clothing", "Apparel & Accessories > Clothing",
     ("T-Shirt", "Hoodie", "Jeans", "Dress", "Jacket"), (15, 120), ("S", "M", "L", "XL", "XXL")),
    ("Footwear", "aa-8", "Shoes", "Apparel & Accessories > Shoes",
     ("Sneakers", "Boots", "Sandals"), (40, 180), ("7", "8", "9", "10", "11")),
    ("Accessories", "aa-2", "Clothing Accessories", "Apparel & Accessories > Clothing Accessories",
     ("Hat", "Scarf", "Belt", "Tote Bag"), (10, 80), ("Black", "Natural", "Navy", "Olive", "Rust")),
    ("Home", "hg-11", "Kitchen & Dining", "Home & Garden > Kitchen & Dining",
     ("Mug", "Candle", "Throw Blanket", "Planter"), (8, 90), ("White", "Sand", "Sage", "Charcoal")),
    ("Beauty", "hb-3", "Personal Care", "Health & Beauty > Personal Care",
     ("Soap", "Moisturizer", "Lip Balm", "Shampoo"), (5, 45), ("50 ml", "100 ml", "250 ml")),
    ("Electronics", "el-2", "Audio", "Electronics > Audio",
     ("Headphones", "Speaker", "Charger", "Phone Case"), (15, 250), ("Black", "White", "Blue")),
    ("Outdoor", "sg-4", "Outdoor Recreation", "Sporting Goods > Outdoor Recreation",
     ("Water Bottle", "Backpack", "Tent", "Headlamp"), (12, 300), ("Small", "Medium", "Large")),
    ("Toys", "tg-5", "Toys", "Toys & Games > Toys",
     ("Puzzle", "Plush", "Building Set", "Board Game"), (8, 70), ("Standard", "Deluxe")),
)
ADJECTIVES = ("Classic", "Everyday", "Organic", "Vintage", "Alpine", "Coastal", "Urban", "Cozy",
              "Trail", "Studio", "Harbor", "Meadow", "Summit", "Nordic", "Sunset", "Canyon")
VENDORS = ("Northwind Supply", "Bluebird & Co.", "Fern and Field", "Acme Goods", "Tidewater",
           "Copper Kettle", "Lumen Works")
PRODUCT_BASE, VARIANT_BASE = 7_100_000_000_000, 4_300_000_000_000
MAX_PRODUCTS = 400


def fmt_cents(cents: int) -> str:
    """Integer cents -> Shopify's decimal string ("12.50")."""
    if cents < 0:
        return "-" + fmt_cents(-cents)
    units, rest = divmod(cents, 100)
    return f"{units}.{rest:02d}"


def product_count(customers: int) -> int:
    return min(MAX_PRODUCTS, max(20, customers // 50))


@dataclass
class Catalog:
    products: list[dict]
    v_id: list[str]  # variant gids
    v_product: np.ndarray  # product index of each variant
    v_price: np.ndarray  # cents
    v_category: np.ndarray
    v_weight: np.ndarray  # sales popularity, sums to 1 within the catalog
    v_created: np.ndarray  # day the variant's product was created
    v_sku: list[str]
    v_title: list[str]  # product title (what a line item shows)


def build_catalog(rng: np.random.Generator, n: int, start: datetime,
                  history_days: float) -> Catalog:
    # Most products predate the window; the rest launch during it. Ids follow creation.
    created = np.sort(np.where(rng.random(n) < 0.7, -rng.random(n) * 365,
                               rng.random(n) * (history_days - 30)))
    updated = created + rng.random(n) * (history_days - np.maximum(created, 0))
    status = rng.choice(["ACTIVE", "ARCHIVED", "DRAFT"], size=n, p=[0.85, 0.1, 0.05])
    status[0] = "ACTIVE"  # something is always on sale
    created_iso, updated_iso = iso_days(start, created), iso_days(start, updated)
    products, v_id, v_product, v_price, v_cat, v_created, v_sku, v_title = ([] for _ in range(8))
    handles: set[str] = set()
    for i in range(n):
        cat_index = int(rng.integers(len(CATEGORIES)))
        name, tax_id, tax_name, full, types, (low, high), options = CATEGORIES[cat_index]
        ptype = types[int(rng.integers(len(types)))]
        title = f"{ADJECTIVES[int(rng.integers(len(ADJECTIVES)))]} {ptype}"
        handle, suffix = title.lower().replace(" ", "-"), 1
        while handle in handles:  # Shopify suffixes handles to keep them unique
            suffix += 1
            handle = f"{title.lower().replace(' ', '-')}-{suffix}"
        handles.add(handle)
        gid = f"gid://shopify/Product/{PRODUCT_BASE + i + 1}"
        base = round(rng.uniform(low, high)) * 100 - int(rng.choice([1, 5, 0]))
        k = int(rng.integers(1, min(5, len(options)) + 1))
        variants = []
        for j, option in enumerate(options[:k]):
            vnum = VARIANT_BASE + len(v_id) + 1
            price = base + (j * 200 if cat_index in (0, 6) else 0)  # bigger sizes cost a bit more
            sku = f"{name[:3].upper()}-{i + 1:04d}-{j + 1}"
            variants.append({
                "id": f"gid://shopify/ProductVariant/{vnum}", "sku": sku,
                "title": option if k > 1 else "Default Title", "price": fmt_cents(price),
                "inventoryQuantity": int(rng.integers(-3, 250)),
                "createdAt": created_iso[i], "updatedAt": updated_iso[i],
            })
            v_id.append(variants[-1]["id"])
            v_product.append(i)
            v_price.append(price)
            v_cat.append(cat_index)
            v_created.append(created[i])
            v_sku.append(sku)
            v_title.append(title)
        products.append({
            "id": gid, "title": title, "handle": handle, "productType": ptype,
            "vendor": VENDORS[int(rng.integers(len(VENDORS)))], "status": str(status[i]),
            "tags": sorted({name.lower(), ptype.lower().replace(" ", "-")}),
            "createdAt": created_iso[i], "updatedAt": updated_iso[i],
            "category": {"id": f"gid://shopify/TaxonomyCategory/{tax_id}", "name": tax_name,
                         "fullName": full},
            "variants": variants,
        })
    v_product_arr = np.array(v_product)
    sellable = np.array([products[p]["status"] != "DRAFT" for p in v_product])
    weight = sellable / (1.0 + rng.permutation(len(v_id))) ** 0.8  # Zipf-like best sellers
    return Catalog(products, v_id, v_product_arr, np.array(v_price, dtype=np.int64),
                   np.array(v_cat), weight / weight.sum(), np.array(v_created), v_sku, v_title)
