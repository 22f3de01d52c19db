"""The privacy compliance report: gather facts per camera, then render one self-contained HTML file."""
