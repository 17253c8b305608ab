@echo off
rem One-click trademl Windows trainer: finds Node, then hands every step to scripts\trainer.mjs
rem (docs\operations.md). Usage: scripts\trainer.cmd [--dry-run] [--options-vol] [--model NAME] [--no-open]
setlocal
where node >nul 2>nul
if errorlevel 1 (
  echo [trainer] error: Node.js 20.19 or later is needed. Install it with:  winget install OpenJS.NodeJS.LTS
  echo [trainer] or from https://nodejs.org, then open a new terminal and run scripts\trainer.cmd again.
  set "TRAINER_EXIT=3"
  goto :done
)
node "%~dp0trainer.mjs" %*
set "TRAINER_EXIT=%ERRORLEVEL%"
:done
rem Started by a double-click (cmd /c): keep the window open so the result can be read.
echo %CMDCMDLINE% | find /i "/c" >nul && pause
exit /b %TRAINER_EXIT%
