"""Figures of the book, drawn by code (matplotlib).

One module per topic; every function returns a ``Figure`` and leaves
showing it to the notebook. ``import cnnbook.plotting`` imports matplotlib
lazily, inside the functions.
"""

from ._common import pyplot
from .architectures import (
    gradient_norms_figure,
    inception_module_figure,
    receptive_field_footprints,
    residual_block_figure,
    separable_speedup_figure,
)
from .backprop import rot180_figure
from .history import imagenet_error_figure, model_costs_figure
from .initialization import activation_statistics_figure
from .layers import (
    activation_figure,
    conv_geometry_figure,
    convolution_figure,
    draw_matrix,
    feature_map_grid,
    multichannel_conv_figure,
    pooling_figure,
    tensor_pipeline_figure,
)
from .losses import loss_curves_figure
from .optimization import loss_surface_figure, schedule_figure

__all__ = [
    "activation_figure",
    "conv_geometry_figure",
    "convolution_figure",
    "draw_matrix",
    "feature_map_grid",
    "multichannel_conv_figure",
    "pooling_figure",
    "pyplot",
    "tensor_pipeline_figure",
    # chapters 2, 5 and 6
    "gradient_norms_figure",
    "imagenet_error_figure",
    "inception_module_figure",
    "model_costs_figure",
    "receptive_field_footprints",
    "residual_block_figure",
    "separable_speedup_figure",
    # chapters 4 and 8
    "activation_statistics_figure",
    "loss_curves_figure",
    "loss_surface_figure",
    "rot180_figure",
    "schedule_figure",
]
from .augmentation import augmentation_grid, show_image
from .training import (
    history_figure,
    lr_finder_figure,
    lr_schedule_figure,
)

__all__ += [
    "augmentation_grid",
    "history_figure",
    "lr_finder_figure",
    "lr_schedule_figure",
    "show_image",
]
