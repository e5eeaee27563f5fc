// Reply in place: a "Reply" link opens a small form under the comment instead of the reply
// page. Without JavaScript the link leads to that page; both post to the same URL.
const MAX = 5000;

function replyForm(link) {
  const section = link.closest(".comments");
  const main = section && section.querySelector("form.comment-form");
  const token = main && main.querySelector("input[name=csrfmiddlewaretoken]");
  if (!token) return null;
  const id = `reply-${link.dataset.reply.replace(/\D+/g, "-")}`;
  const form = document.createElement("form");
  form.method = "post";
  form.action = link.dataset.reply;
  form.className = "reply-form card";
  form.noValidate = true;
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = main.dataset.replyLabel || link.textContent.trim();
  const box = document.createElement("textarea");
  box.id = id;
  box.name = "body";
  box.rows = 3;
  box.maxLength = Number(main.querySelector("textarea")?.maxLength) || MAX;
  if (link.dataset.handle) box.value = `@${link.dataset.handle} `;
  const button = document.createElement("button");
  button.type = "submit";
  button.textContent =
    main.dataset.replyButton || main.querySelector("button[type=submit]").textContent;
  const csrf = token.cloneNode();
  form.append(csrf, label, box, button);
  form.addEventListener("submit", (event) => {
    if (!box.value.trim()) {
      event.preventDefault();
      const status = section.querySelector(".comment-status");
      if (status) status.textContent = main.dataset.empty || label.textContent;
      box.focus();
    }
  });
  return form;
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a.reply-link[data-reply]");
  if (!link) return;
  const article = link.closest("article");
  const open = article.querySelector(":scope > form.reply-form");
  event.preventDefault();
  if (open) {
    open.querySelector("textarea").focus();
    return;
  }
  const form = replyForm(link);
  if (!form) {
    window.location.href = link.href;
    return;
  }
  article.append(form);
  const box = form.querySelector("textarea");
  box.focus();
  box.setSelectionRange(box.value.length, box.value.length);
});
