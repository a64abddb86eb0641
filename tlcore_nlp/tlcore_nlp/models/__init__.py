"""Whole models that are not layers (they own their parameters through
:class:`tlcore.owner.OwnsParams`): the seed's translation model."""
