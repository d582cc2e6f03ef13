"""A local Shopify GraphQL Admin API simulator with generated stores and their ground truth.

`generate_store` builds a deterministic store from a seed and a size;
`SimulatorServer` serves any number of them over HTTP on 127.0.0.1 (paging,
search, cost and throttling, bulk operations, injected faults);
`write_ground_truth` saves what the API never reveals (who is who, who churned,
what they buy next) for evaluating the pipeline's models.
"""

from commerce_pipeline.simulator.generator import generate_store
from commerce_pipeline.simulator.ground_truth import write_ground_truth
from commerce_pipeline.simulator.server import SimulatorServer
from commerce_pipeline.simulator.store import Store

__all__ = ["SimulatorServer", "Store", "generate_store", "write_ground_truth"]
