"""kserve.logging: ``from kserve.logging import logger`` (log lines go to the instance's logs)."""
import logging as _logging

from .constants import KSERVE_LOGGER_NAME, KSERVE_LOGLEVEL

logger = _logging.getLogger(KSERVE_LOGGER_NAME)
trace_logger = _logging.getLogger("kserve.trace")
logger.setLevel(KSERVE_LOGLEVEL)


def configure_logging(log_config=None) -> None:  # KServe's signature; the worker configures logging
    return None
