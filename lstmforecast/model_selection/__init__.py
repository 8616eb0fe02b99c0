"""Cross-validation across time for panels: every series cut at the same instants."""

from lstmforecast.model_selection._split import PanelTimeSeriesSplit

__all__ = ["PanelTimeSeriesSplit"]
