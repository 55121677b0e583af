"""Sources beside the folder and the manifest: council web services that publish minutes.

``moderngov`` fetches from a ModernGov site's ``mgWebService.asmx``; ``http`` is the polite
client it uses; ``records`` keeps the ``sources`` and ``source_versions`` tables. Fetched
minutes go through the same pipeline and into the same tables as ingested files.
"""
