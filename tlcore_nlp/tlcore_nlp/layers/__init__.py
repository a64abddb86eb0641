"""tlcore-nlp layers; users reach them as ``tl.layers.<Name>`` through the plugin manifest."""
