"""`commerce-pipeline simulate`: store specs, and a real server process."""

import os
import signal
import subprocess
import sys
import time

import click
import pytest
import requests

from commerce_pipeline.cli.simulate import parse_store_spec, store_specs


def test_store_spec_is_name_and_size():
    assert parse_store_spec("corner-shop:300") == ("corner-shop", 300)


def test_bad_store_spec_is_refused():
    with pytest.raises(click.BadParameter):
        parse_store_spec("corner-shop")


def test_stores_option_adds_numbered_stores():
    assert store_specs(2, ("a:10",), 50) == [("a", 10), ("sim-store-1", 50), ("sim-store-2", 50)]


def test_no_option_serves_one_default_store():
    assert store_specs(None, (), 50) == [("sim-store-1", 50)]


def test_duplicate_store_names_are_refused():
    with pytest.raises(click.BadParameter):
        store_specs(None, ("a:1", "a:2"), 50)


@pytest.mark.slow
def test_simulate_serves_stores_until_terminated(tmp_path):
    command = [sys.executable, "-c", "from commerce_pipeline.cli import main; main()", "simulate",
               "--store", "cli-shop:30", "--port", "0", "--data-dir", str(tmp_path)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(line.startswith("serving") for line in lines):
            lines.append(process.stdout.readline())
            assert process.poll() is None, lines
        store_line = next(line for line in lines if line.startswith("cli-shop:"))
        base_url, token = store_line.split()[1], store_line.split()[3]
        response = requests.post(f"{base_url}/admin/api/2025-01/graphql.json",
                                 json={"query": "{ shop { name } }"},
                                 headers={"X-Shopify-Access-Token": token}, timeout=10)
        assert response.json()["data"]["shop"]["name"] == "cli-shop"
        assert (tmp_path / "cli-shop.ground_truth.json").is_file()
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
        process.stdout.close()
