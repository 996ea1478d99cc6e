"""The shared kernel: what every layer may import (the root error type). Imports nothing."""
