// Starts `because lsp` for .kb files; everything else (diagnostics, hover, definitions,
// completion, rename, answers on query lines) comes from the server.
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate() {
  const command = vscode.workspace.getConfiguration('because').get('path') || 'because';
  client = new LanguageClient(
    'because',
    'because',
    { command, args: ['lsp'] },
    { documentSelector: [{ scheme: 'file', language: 'because' }] },
  );
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
