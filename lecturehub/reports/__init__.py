"""Reports of 组织办: the monthly satisfaction survey (满意度测评) and the quarterly evaluation
(小结评估), as pages with SVG charts, printable, and as Excel."""
