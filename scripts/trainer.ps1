# One-click trademl Windows trainer (PowerShell): finds Node, then hands every step to scripts/trainer.mjs
# (docs/operations.md). Usage: scripts\trainer.ps1 [--dry-run] [--options-vol] [--model NAME] [--no-open]
$ErrorActionPreference = 'Stop'
$node = Get-Command node -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
if ($null -eq $node) {
    Write-Host '[trainer] error: Node.js 20.19 or later is needed. Install it with:  winget install OpenJS.NodeJS.LTS'
    Write-Host '[trainer] or from https://nodejs.org, then open a new terminal and run scripts\trainer.ps1 again.'
    exit 3
}
& $node.Source (Join-Path $PSScriptRoot 'trainer.mjs') @args
exit $LASTEXITCODE
