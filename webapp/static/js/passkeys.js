// Passkeys: a form with data-passkey="create" or "get" asks the server for options
// (data-options-url), lets the browser make or use a passkey (Face ID, a fingerprint, a PIN),
// puts the browser's answer into the form's "credential" field and sends the form.
(function () {
  "use strict";

  if (!window.PublicKeyCredential || !navigator.credentials) return;

  function toBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    var binary = atob(base64 + "===".slice((base64.length + 3) % 4));
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer), binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withBytes(descriptors) {
    return (descriptors || []).map(function (d) {
      return Object.assign({}, d, { id: toBytes(d.id) });
    });
  }

  function creationOptions(options) {
    options.challenge = toBytes(options.challenge);
    options.user.id = toBytes(options.user.id);
    options.excludeCredentials = withBytes(options.excludeCredentials);
    return { publicKey: options };
  }

  function requestOptions(options) {
    options.challenge = toBytes(options.challenge);
    options.allowCredentials = withBytes(options.allowCredentials);
    return { publicKey: options };
  }

  function asJSON(credential) {
    var r = credential.response, response = { clientDataJSON: toBase64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toBase64url(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = toBase64url(r.authenticatorData);
      response.signature = toBase64url(r.signature);
      if (r.userHandle) response.userHandle = toBase64url(r.userHandle);
    }
    return JSON.stringify({
      id: credential.id, rawId: toBase64url(credential.rawId), type: credential.type,
      response: response, authenticatorAttachment: credential.authenticatorAttachment,
      clientExtensionResults: credential.getClientExtensionResults()
    });
  }

  function say(form, text) {
    var status = form.querySelector("[data-passkey-status]");
    if (status) { status.textContent = text; status.hidden = !text; }
  }

  function run(form) {
    var create = form.dataset.passkey === "create";
    var token = form.querySelector("input[name=csrf_token]");
    say(form, "");
    fetch(form.dataset.optionsUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "", "Accept": "application/json" }
    }).then(function (answer) {
      if (!answer.ok) throw new Error("options " + answer.status);
      return answer.json();
    }).then(function (options) {
      return create ? navigator.credentials.create(creationOptions(options))
                    : navigator.credentials.get(requestOptions(options));
    }).then(function (credential) {
      form.querySelector("input[name=credential]").value = asJSON(credential);
      form.submit();
    }).catch(function (error) {
      say(form, error && error.name === "NotAllowedError"
        ? "No passkey was used. Try again, or sign in another way."
        : "This browser could not use a passkey here. Sign in another way.");
    });
  }

  document.querySelectorAll("form[data-passkey]").forEach(function (form) {
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      run(form);
    });
  });
})();
