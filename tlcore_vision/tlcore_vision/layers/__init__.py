"""Vision layers, one module per family; reached as ``tl.layers.<Name>`` via the plugin registry."""
