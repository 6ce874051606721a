"""Vendored XML schemas (package data, no code).

- mets.xsd: METS 1.12.1 (Digital Library Federation / Library of Congress, CC0 1.0, licence
  text in the file's own documentation), copied unmodified from the metsrw 0.7.0 wheel
  (metsrw/resources/mets.xsd), the same text as mets/METS-schema version1121/mets.xsd.
- xlink.xsd: the "METS XLink Schema, v. 2, Nov. 15, 2004" that mets.xsd imports from
  http://www.loc.gov/standards/xlink/xlink.xsd (public, no licence header), as vendored by
  uklibraries/gossamer; resolved locally, never fetched.
- edoc-archive-1.xsd: our own descriptive metadata namespace urn:edoc:archive:1.
"""
