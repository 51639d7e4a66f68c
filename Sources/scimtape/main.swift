print("scimtape")
