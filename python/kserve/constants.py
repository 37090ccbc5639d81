"""kserve.constants (the ones user code reads)."""
import logging
import os

KSERVE_LOGLEVEL = os.environ.get("KSERVE_LOGLEVEL", "INFO").upper()
KSERVE_LOGGER_NAME = "kserve"
PredictorProtocol_V1 = "v1"
PredictorProtocol_V2 = "v2"
MODEL_MOUNT_DIRS = "/mnt/models"

if not isinstance(logging.getLevelName(KSERVE_LOGLEVEL), int):
    KSERVE_LOGLEVEL = "INFO"
