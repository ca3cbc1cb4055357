"""Datasets for the book: real images that work offline."""

from .builtin import PHOTOGRAPHS, load_digits_8x8, load_mnist_5k, photograph

__all__ = ["PHOTOGRAPHS", "load_digits_8x8", "load_mnist_5k", "photograph"]
