"""`commerce-pipeline simulate`: serve generated Shopify stores on 127.0.0.1 until Ctrl-C."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import click

from commerce_pipeline.settings import get_settings

DEFAULT_CUSTOMERS = 500  # per store with --stores N


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt  # SIGTERM stops the server as cleanly as Ctrl-C


def parse_store_spec(spec: str) -> tuple[str, int]:
    """`NAME:SIZE` -> (name, customers)."""
    name, sep, size = spec.rpartition(":")
    if not sep or not name or not size.isdigit():
        raise click.BadParameter(f"expected NAME:SIZE (e.g. corner-shop:300), got {spec!r}")
    return name, int(size)


def store_specs(stores: int | None, specs: tuple[str, ...],
                customers: int) -> list[tuple[str, int]]:
    out = [parse_store_spec(s) for s in specs]
    out += [(f"sim-store-{i + 1}", customers) for i in range(stores or 0)]
    if not out:
        out = [("sim-store-1", customers)]
    names = [name for name, _ in out]
    if len(set(names)) != len(names):
        raise click.BadParameter(f"store names must be unique, got {names}")
    return out


@click.command()
@click.option("--stores", type=int, help="number of stores named sim-store-1..N")
@click.option("--store", "specs", multiple=True, metavar="NAME:SIZE",
              help="a store and its number of customers (repeatable)")
@click.option("--customers", type=int, default=DEFAULT_CUSTOMERS, show_default=True,
              help="customers per store created with --stores")
@click.option("--seed", type=int, default=7, show_default=True, help="store i uses seed + i")
@click.option("--port", type=int, default=8765, show_default=True, help="0: any free port")
@click.option("--bucket-size", type=float, default=1000, show_default=True,
              help="leaky bucket size (query cost points) per store")
@click.option("--restore-rate", type=float, default=50.0, show_default=True,
              help="points restored per second")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              help="ground truth and bulk results [default: <COMMERCE_HOME>/simulator]")
def simulate(stores, specs, customers, seed, port, bucket_size, restore_rate, data_dir) -> None:
    """Serve simulated Shopify stores (GraphQL Admin API) for the pipeline to sync from."""
    from commerce_pipeline.simulator import SimulatorServer, generate_store, write_ground_truth

    data_dir = data_dir or get_settings().home / "simulator"
    generated = []
    for i, (name, size) in enumerate(store_specs(stores, specs, customers)):
        click.echo(f"generating {name} ({size} customers)...")
        generated.append(generate_store(name, seed=seed + i, customers=size))
    server = SimulatorServer(generated, port=port, bucket_size=bucket_size,
                             restore_rate=restore_rate, data_dir=data_dir)
    try:
        server.start()
    except OSError as exc:
        raise click.ClickException(f"cannot listen on 127.0.0.1:{port}: {exc}") from exc
    for store in generated:
        truth = write_ground_truth(store, data_dir / f"{store.shop}.ground_truth.json")
        click.echo(f"{store.shop}: {server.base_url(store.shop)}  token {store.access_token}  "
                   f"({store.count('customers')} customers, {store.count('orders')} orders; "
                   f"ground truth {truth})")
    click.echo(f"serving on 127.0.0.1:{server.port}; Ctrl-C to stop")
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("stopping")
    finally:
        server.stop()
