from setuptools import find_packages, setup

setup(
    name="commerce_pipeline",
    version="0.1.0",
    description="Multi-tenant commerce intelligence on Dagster: Shopify via dlt, dbt profiles, ML, email actions",
    packages=find_packages(exclude=["commerce_pipeline_tests", "commerce_pipeline_tests.*"]),
    package_data={"commerce_pipeline": ["py.typed", "instance/*.yaml", "marketing/templates/*.j2"]},
    python_requires=">=3.10,<3.14",
    install_requires=[
        # Dagster and its integrations move together: same patch level throughout.
        "dagster==1.13.27",
        "dagster-webserver==1.13.27",
        "dagster-dbt==0.29.27",
        "dagster-dlt==0.29.27",
        "dagster-postgres==0.29.27",
        # parquet: pyarrow, for the Arrow tables the Shopify source hands dlt.
        "dlt[duckdb,postgres,parquet]>=1.31,<1.32",
        "orjson>=3.9",  # response bodies; dlt depends on it too
        # dbt-core 1.12 fetches a parser wheel from outside the package index at install time.
        "dbt-core>=1.11,<1.12",
        "dbt-duckdb>=1.11,<1.12",
        "dbt-postgres>=1.11,<1.12",
        "duckdb>=1.3,<3",
        "pandas>=2.2,<4",
        "scikit-learn>=1.5,<2",
        "threadpoolctl>=3.1",  # one BLAS/OpenMP thread for small model fits (scikit-learn's own dependency)
        "scipy>=1.11",  # connected components of the identity graph
        "lightgbm>=4.5,<5",
        "matplotlib>=3.8,<4",
        "sendgrid>=6.11,<7",
        "ShopifyAPI>=12.6,<13",
        "sqlalchemy>=2.0,<3",
        "psycopg2-binary>=2.9,<3",
        "cryptography>=42",
        "phonenumbers>=8.13",
        "graphql-core>=3.2,<3.3",
        "requests>=2.31,<3",
        "click>=8.1",
        "jinja2>=3.1",
    ],
    extras_require={"dev": ["pytest>=8", "pytest-timeout>=2.3", "pytest-xdist>=3.5"]},
    entry_points={"console_scripts": ["commerce-pipeline=commerce_pipeline.cli:main"]},
)
