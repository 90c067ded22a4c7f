/** Flaskr's forms (`@phial/forms`, Flask-WTF's role): fields, validators and the CSRF token in one place. */
import {
  BooleanField,
  dataRequired,
  EmailField,
  email,
  equalTo,
  Form,
  length,
  PasswordField,
  StringField,
  SubmitField,
  TextAreaField,
} from '@phial/forms';

export class RegisterForm extends Form {
  username = new StringField('Username', [dataRequired('Username is required.'), length({ max: 64 })]);
  email = new EmailField('Email', [dataRequired('Email is required.'), email()]);
  password = new PasswordField('Password', [dataRequired('Password is required.')]);
  submit = new SubmitField('Register');
}

export class LoginForm extends Form {
  username = new StringField('Username', [dataRequired('Username is required.')]);
  password = new PasswordField('Password', [dataRequired('Password is required.')]);
  remember = new BooleanField('Remember me');
  submit = new SubmitField('Log In');
}

export class PostForm extends Form {
  title = new StringField('Title', [dataRequired('Title is required.'), length({ max: 200 })]);
  body = new TextAreaField('Body');
  submit = new SubmitField('Save');
}

/** Just the CSRF token: the delete button's form. */
export class DeleteForm extends Form {
  submit = new SubmitField('Delete');
}

export class RequestResetForm extends Form {
  email = new EmailField('Email', [dataRequired('Email is required.'), email()]);
  submit = new SubmitField('Send reset link');
}

export class ResetPasswordForm extends Form {
  password = new PasswordField('New password', [dataRequired('Password is required.'), length({ min: 4 })]);
  confirm = new PasswordField('Repeat password', [equalTo('password', 'Passwords must match.')]);
  submit = new SubmitField('Reset password');
}
