"""GS1 barcodes: scanning (parse with biip) and labels (symbols from zint)."""
