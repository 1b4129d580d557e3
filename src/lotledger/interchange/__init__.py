"""Files in and out: JSON Lines now; EPCIS, FSMA 204 and spreadsheets later."""
